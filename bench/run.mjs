// npm run bench: bulk `authctl verify` and `authctl lint` throughput against a bare jose
// jwtVerify loop over the same tokens, measured in the same run on the same machine. Reported
// as ratios (authctl / baseline); no absolute time is asserted anywhere.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, createSecretKey } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';

const N = Number(process.env.BENCH_TOKENS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'authctl-bench-'));
const bin = new URL('../bin/authctl.js', import.meta.url).pathname;
const now = Math.floor(Date.now() / 1000);

const baseline = new URL('./baseline.mjs', import.meta.url).pathname;

function keys(alg) {
  if (alg === 'HS256') {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(join(dir, 'hs.secret'), secret);
    return { sign: createSecretKey(Buffer.from(secret)), file: join(dir, 'hs.secret'), verifyArgs: ['--secret-file', join(dir, 'hs.secret')] };
  }
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, `${alg}.pub.pem`);
  writeFileSync(file, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { sign: pair.privateKey, file, verifyArgs: ['--key', file] };
}

function time(fn) {
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30, cwd: new URL('..', import.meta.url).pathname });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.toString();
}

console.log(`authctl bench: ${N} tokens per algorithm, best of ${ROUNDS} rounds, node ${process.version}`);
console.log('alg     baseline tok/s  verify tok/s  ratio   lint tok/s  ratio');
let worst = Infinity;
for (const alg of ['ES256', 'RS256', 'HS256']) {
  const k = keys(alg);
  const tokens = [];
  for (let i = 0; i < N; i++) {
    tokens.push(await new SignJWT({ sub: `user-${i}`, iss: 'https://issuer.example', aud: 'api', jti: String(i) }).setProtectedHeader({ alg }).setIssuedAt(now).setExpirationTime(now + 3600).sign(k.sign));
  }
  const input = `${tokens.join('\n')}\n`;
  const file = join(dir, `${alg}.tokens`);
  writeFileSync(file, input);
  const check = (out) => {
    const lines = out.trim().split('\n');
    if (lines.length !== N) throw new Error(`expected ${N} results, got ${lines.length}`);
  };
  const tBase = time(() => {
    const out = run(process.execPath, [baseline, file, k.file, alg]);
    if (Number(out.trim()) !== N) throw new Error(`baseline verified ${out.trim()} of ${N}`);
  });
  const tVerify = time(() => check(run(process.execPath, [bin, 'verify', ...k.verifyArgs, '--alg', alg, '--aud', 'api', '--json', '-'], input)));
  const tLint = time(() => check(run(process.execPath, [bin, 'lint', '--aud', 'api', '--json', '-'], input)));
  const base = N / tBase;
  const rv = (N / tVerify) / base;
  const rl = (N / tLint) / base;
  worst = Math.min(worst, rv);
  console.log(`${alg.padEnd(7)} ${base.toFixed(0).padStart(14)}  ${(N / tVerify).toFixed(0).padStart(12)}  ${rv.toFixed(2).padStart(5)}  ${(N / tLint).toFixed(0).padStart(11)}  ${rl.toFixed(2).padStart(5)}`);
}
console.log(`target: verify ratio >= 0.70 of the bare jose loop; worst here ${worst.toFixed(2)} (${worst >= 0.7 ? 'met' : 'NOT met'})`);
rmSync(dir, { recursive: true, force: true });

