import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Tokens made by an implementation other than authctl's: the JSON is encoded here with
 * Node's Buffer, and the signature is computed by the openssl command-line tool.
 */
const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function opensslDir(): string {
  return mkdtempSync(join(tmpdir(), 'authctl-openssl-'));
}

export function signingInput(header: object, payload: object): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
}

export function opensslHs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const input = signingInput(header, payload);
  const mac = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `key:${secret}`, '-binary'], { input });
  return `${input}.${b64url(mac)}`;
}

/** Generates an RSA key with `openssl genrsa` (PKCS#8 PEM) and returns its path. */
export function opensslRsaKey(dir: string, bits = 2048): string {
  const path = join(dir, `rsa-${bits}.pem`);
  execFileSync('openssl', ['genrsa', '-out', path, String(bits)], { stdio: 'ignore' });
  return path;
}

export function opensslRs256(payload: object, keyPath: string, header: object = { alg: 'RS256', typ: 'JWT' }): string {
  const input = signingInput(header, payload);
  const sig = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyPath, '-binary'], { input });
  return `${input}.${b64url(sig)}`;
}

export function unsecured(payload: object): string {
  return `${signingInput({ alg: 'none' }, payload)}.`;
}

export function writeTemp(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** DER ECDSA signature (what openssl writes) to JOSE's raw R||S, and back: independent of authctl. */
export function derToRaw(der: Buffer, size: number): Buffer {
  let offset = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
  const read = () => {
    const len = der[offset + 1]!;
    const int = der.subarray(offset + 2, offset + 2 + len);
    offset += 2 + len;
    const trimmed = int[0] === 0 ? int.subarray(1) : int;
    return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
  };
  return Buffer.concat([read(), read()]);
}

export function rawToDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    const padded = v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
    return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
  };
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** Signs a JWT with openssl for any of RS/PS/ES/EdDSA, given a PEM private key path. */
export function opensslSign(alg: string, payload: object, keyPath: string, dir: string, header: object = {}): string {
  const input = signingInput({ alg, typ: 'JWT', ...header }, payload);
  const inputFile = writeTemp(dir, `input-${Math.random().toString(36).slice(2)}`, input);
  const hash = `-sha${alg.slice(2) || '256'}`;
  let sig: Buffer;
  if (alg === 'EdDSA') {
    sig = execFileSync('openssl', ['pkeyutl', '-sign', '-rawin', '-inkey', keyPath, '-in', inputFile], { cwd: dir });
  } else if (alg.startsWith('PS')) {
    sig = execFileSync(
      'openssl',
      ['dgst', hash, '-sign', keyPath, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${Number(alg.slice(2)) / 8}`, '-binary', inputFile],
      { cwd: dir },
    );
  } else if (alg.startsWith('ES')) {
    const size = { ES256: 32, ES384: 48, ES512: 66 }[alg]!;
    sig = derToRaw(execFileSync('openssl', ['dgst', hash, '-sign', keyPath, '-binary', inputFile], { cwd: dir }), size);
  } else {
    sig = execFileSync('openssl', ['dgst', hash, '-sign', keyPath, '-binary', inputFile], { cwd: dir });
  }
  return `${input}.${b64url(sig)}`;
}

/** Verifies a compact JWS with openssl alone; true when openssl says "Verified OK". */
export function opensslVerify(token: string, publicKeyPath: string, dir: string): boolean {
  const [h, p, s] = token.split('.');
  const alg = JSON.parse(Buffer.from(h!, 'base64url').toString()).alg as string;
  const inputFile = writeTemp(dir, `vin-${Math.random().toString(36).slice(2)}`, `${h}.${p}`);
  let sig: Buffer = Buffer.from(s!, 'base64url');
  if (alg.startsWith('ES')) sig = rawToDer(sig);
  const sigFile = join(dir, `sig-${Math.random().toString(36).slice(2)}`);
  writeFileSync(sigFile, sig);
  const hash = `-sha${alg.slice(2) || '256'}`;
  const args =
    alg === 'EdDSA'
      ? ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', publicKeyPath, '-in', inputFile, '-sigfile', sigFile]
      : alg.startsWith('PS')
        ? [
            'dgst',
            hash,
            '-verify',
            publicKeyPath,
            '-sigopt',
            'rsa_padding_mode:pss',
            '-sigopt',
            `rsa_pss_saltlen:${Number(alg.slice(2)) / 8}`,
            '-signature',
            sigFile,
            inputFile,
          ]
        : ['dgst', hash, '-verify', publicKeyPath, '-signature', sigFile, inputFile];
  try {
    return /Verified OK|Signature Verified Successfully/.test(execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch {
    return false;
  }
}

/**
 * An EC P-256 certificate made by openssl in `dir` (NAME.key, NAME.pem), valid 30 days:
 * self-signed with the `rootExt` extensions (a root), or issued by ISSUER (its NAME.key and
 * NAME.pem in `dir`) with the extensions in `ext` (an openssl extfile).
 */
export function opensslCertificate(dir: string, name: string, from: { issuer: string; ext: string } | { rootExt: string[] }): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  if ('rootExt' in from) {
    const ext = from.rootExt.flatMap((line) => ['-addext', line]);
    openssl('req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', '-out', `${name}.pem`, ...ext);
    return;
  }
  writeFileSync(join(dir, `${name}.ext`), from.ext);
  openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  const ca = ['-CA', `${from.issuer}.pem`, '-CAkey', `${from.issuer}.key`, '-CAcreateserial'];
  openssl('x509', '-req', '-in', `${name}.csr`, ...ca, '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}
