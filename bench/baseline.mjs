// The baseline: a bare jose jwtVerify loop over a file of tokens (sequential awaits, one process,
// the audience checked as authctl is asked to), as lean as it gets.
import { readFileSync } from 'node:fs';
import { createPublicKey, createSecretKey } from 'node:crypto';
import { jwtVerify } from 'jose';

const [file, keyFile, alg] = process.argv.slice(2);
const text = readFileSync(keyFile, 'utf8');
const key = alg === 'HS256' ? createSecretKey(Buffer.from(text)) : createPublicKey(text);
let ok = 0;
for (const token of readFileSync(file, 'utf8').split('\n')) {
  if (!token) continue;
  try {
    await jwtVerify(token, key, { algorithms: [alg], audience: 'api' });
    ok++;
  } catch {
    // counted as not verified
  }
}
console.log(ok);
