import { createPrivateKey, createPublicKey, createSecretKey, X509Certificate, type KeyObject } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { parseJson } from '../json.js';

/** Where a key came from, as users name formats. */
export type KeySource = 'pkcs8' | 'pkcs8-encrypted' | 'pkcs1' | 'sec1' | 'spki' | 'pkcs1-public' | 'x509' | 'jwk' | 'jwks' | 'secret' | 'password';

export interface LoadedKey {
  /** 'private' and 'secret' can sign; 'public' can only verify. */
  kind: 'private' | 'public' | 'secret';
  key: KeyObject;
  /** kty as in JWK: RSA, EC, OKP, oct. */
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  /** EC curve or OKP subtype (P-256, Ed25519, …). */
  crv?: string;
  /** RSA modulus or secret length, in bits. */
  bits?: number;
  source: KeySource;
  kid?: string;
  /** The `alg` a JWK declared, which pins the algorithm. */
  alg?: string;
  /** DER of the certificate, when the key came from one (for x5c / x5t#S256). */
  certificate?: Uint8Array;
}

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

function invalid(message: string, hint?: string): never {
  throw new UsageError('invalid_key', message, hint);
}

/** Describes a KeyObject in JWK terms. */
export function describeKeyObject(key: KeyObject): Pick<LoadedKey, 'kty' | 'crv' | 'bits'> {
  if (key.type === 'secret') return { kty: 'oct', bits: (key.symmetricKeySize ?? 0) * 8 };
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return { kty: 'RSA', bits: details.modulusLength };
  if (type === 'ec') {
    const crv = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1' }[details.namedCurve ?? ''] ?? details.namedCurve;
    return { kty: 'EC', crv };
  }
  if (type === 'ed25519' || type === 'ed448') return { kty: 'OKP', crv: type === 'ed25519' ? 'Ed25519' : 'Ed448' };
  // An X25519 key signs nothing (algorithmsFor has no JWS algorithm for it): JWE recipients (ECDH-ES).
  if (type === 'x25519') return { kty: 'OKP', crv: 'X25519' };
  return invalid(`unsupported key type ${type ?? 'unknown'}`, 'authctl uses RSA, EC (P-256/384/521), Ed25519, X25519 (encryption) and HMAC keys');
}

/** The first key-bearing PEM block; `openssl ecparam -genkey` puts EC PARAMETERS before the key. */
function firstKeyBlock(text: string): { label?: string; block: string } {
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
    if (match[1] !== 'EC PARAMETERS') return { label: match[1], block: match[0] };
  }
  return { label: text.match(PEM_LABEL)?.[1], block: text };
}

function fromPem(pem: string, passphrase: string | undefined): LoadedKey {
  const { label, block: text } = firstKeyBlock(pem);
  switch (label) {
    case 'OPENSSH PRIVATE KEY':
      return invalid(
        'this is an OpenSSH-format private key, which JWT tools cannot read',
        'convert a copy with: ssh-keygen -p -m PEM -f KEYFILE (RSA/ECDSA), or generate one with authctl keygen',
      );
    case 'CERTIFICATE': {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(text);
      } catch {
        return invalid('the CERTIFICATE block is not a valid X.509 certificate');
      }
      return { kind: 'public', key: cert.publicKey, ...describeKeyObject(cert.publicKey), source: 'x509', certificate: new Uint8Array(cert.raw) };
    }
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY': {
      const key = tryCreate(() => createPublicKey(text), label);
      return { kind: 'public', key, ...describeKeyObject(key), source: label === 'PUBLIC KEY' ? 'spki' : 'pkcs1-public' };
    }
    case 'PRIVATE KEY':
    case 'ENCRYPTED PRIVATE KEY':
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY': {
      const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
      if (encrypted && passphrase === undefined) {
        return invalid('the private key is encrypted and no passphrase was given', 'pass it with --passphrase-file FILE or --passphrase-stdin');
      }
      const key = tryCreate(() => createPrivateKey({ key: text, format: 'pem', ...(encrypted ? { passphrase } : {}) }), label, encrypted);
      const source: KeySource = label === 'RSA PRIVATE KEY' ? 'pkcs1' : label === 'EC PRIVATE KEY' ? 'sec1' : encrypted ? 'pkcs8-encrypted' : 'pkcs8';
      return { kind: 'private', key, ...describeKeyObject(key), source };
    }
    case undefined:
      return invalid('no PEM block found');
    default:
      return invalid(`PEM block "${label}" is not a key authctl can use`, 'expected PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, PUBLIC KEY or CERTIFICATE');
  }
}

function tryCreate(create: () => KeyObject, label: string, encrypted = false): KeyObject {
  try {
    return create();
  } catch {
    // A wrong passphrase passes the CBC padding check one time in 256 and then fails as garbage
    // ASN.1, so for an encrypted block every failure may be the passphrase: say so every time.
    const reason = encrypted ? 'wrong passphrase, or a damaged key' : 'the key data is damaged or unsupported';
    return invalid(`cannot read the ${label} block: ${reason}`);
  }
}

function fromJwk(jwk: Record<string, unknown>, source: 'jwk' | 'jwks'): LoadedKey {
  const kty = jwk.kty;
  if (typeof kty !== 'string') invalid('the JWK has no "kty"');
  const meta = { source, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}), ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}) };
  try {
    if (kty === 'oct') {
      if (typeof jwk.k !== 'string') invalid('the oct JWK has no "k"');
      const key = createSecretKey(Buffer.from(jwk.k as string, 'base64url'));
      return { kind: 'secret', key, ...describeKeyObject(key), ...meta };
    }
    const isPrivate = 'd' in jwk;
    const key = isPrivate ? createPrivateKey({ key: jwk as never, format: 'jwk' }) : createPublicKey({ key: jwk as never, format: 'jwk' });
    return { kind: isPrivate ? 'private' : 'public', key, ...describeKeyObject(key), ...meta };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return invalid(`cannot import the ${kty} JWK${typeof jwk.kid === 'string' ? ` "${jwk.kid}"` : ''}: its parameters are missing or invalid`);
  }
}

/** The keys of a JWKS, or the one JWK, as a list of raw JWK objects. */
export function jwkList(value: unknown): { keys: Record<string, unknown>[]; isSet: boolean } {
  if (value !== null && typeof value === 'object' && Array.isArray((value as { keys?: unknown }).keys)) {
    return { keys: (value as { keys: Record<string, unknown>[] }).keys.filter((k) => k && typeof k === 'object'), isSet: true };
  }
  if (value !== null && typeof value === 'object' && 'kty' in value) return { keys: [value as Record<string, unknown>], isSet: false };
  return invalid('the JSON is neither a JWK (no "kty") nor a JWKS (no "keys" array)');
}

/**
 * Loads a key from the text of a file, whatever format other tools wrote it in: PKCS#8 (also
 * encrypted), PKCS#1 and SEC1 PEM, SPKI, X.509 certificates, JWK and JWKS (`kid` selects; a
 * set of one needs none). Anything else is `invalid_key` naming what it saw.
 *
 * @example loadKey(readFileSync('private.pem', 'utf8')).kty // 'RSA'
 */
export function loadKey(text: string, options: { kid?: string; passphrase?: string } = {}): LoadedKey {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = parseJson(trimmed);
    } catch {
      return invalid('the file starts like JSON but is not valid JSON');
    }
    const { keys, isSet } = jwkList(json);
    if (!isSet) return fromJwk(keys[0]!, 'jwk');
    const matching = options.kid === undefined ? keys : keys.filter((k) => k.kid === options.kid);
    if (matching.length === 1) return fromJwk(matching[0]!, 'jwks');
    const kids = keys.map((k) => (typeof k.kid === 'string' ? k.kid : '(no kid)')).join(', ');
    if (matching.length === 0 && options.kid !== undefined) return invalid(`no key with kid "${options.kid}" in the JWKS`, `kids present: ${kids || 'none'}`);
    return invalid(
      keys.length === 0 ? 'the JWKS has no keys' : `the JWKS has ${keys.length} keys; choose one with --kid`,
      keys.length ? `kids present: ${kids}` : undefined,
    );
  }
  if (PEM_LABEL.test(trimmed)) return fromPem(trimmed, options.passphrase);
  if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+) AAAA/.test(trimmed)) {
    return invalid('this is an OpenSSH public key line, not a PEM or JWK key', 'convert it with: ssh-keygen -e -m PKCS8 -f KEYFILE.pub');
  }
  if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && trimmed.length > 100) {
    return invalid('this looks like base64 without PEM armour (maybe DER)', 'wrap it as PEM, or convert DER with: openssl pkey -inform DER -in KEYFILE');
  }
  return invalid('unrecognised key format: expected PEM (PRIVATE KEY, PUBLIC KEY, CERTIFICATE …), a JWK or a JWKS');
}
