import { createHash } from 'node:crypto';

/** A short, stable fingerprint that identifies a value in logs without revealing it. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/**
 * How a token is shown anywhere but where printing it is the command's job (CLI.md): its first
 * 10 characters (for a JWT, part of the public header) plus a short SHA-256 prefix.
 *
 * @example maskToken('eyJhbGciOiJIUzI1NiJ9.e30.sig') // 'eyJhbGciOi…(sha256:1b2c3d4e)'
 */
export function maskToken(token: string): string {
  return `${token.slice(0, 10)}…(${fingerprint(token)})`;
}

/** How a secret (client secret, password, key) is shown: its fingerprint only, no characters. */
export function maskSecret(secret: string): string {
  return `[redacted ${fingerprint(secret)}]`;
}
