// Prints a sample token shaped like the JustGold document's example (iss, sub, aud, iat, exp,
// UUID jti), signed RS256 with a throwaway key, for the README's first command.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Math.floor(Date.now() / 1000);
const enc = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iss: 'partner-123', sub: 'user-123', aud: 'justgold-api', iat: now, exp: now + 3600, jti: randomUUID() })}`;
console.log(`${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`);
