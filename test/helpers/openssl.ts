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

function signingInput(header: object, payload: object): string {
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
