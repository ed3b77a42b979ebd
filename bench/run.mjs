// npm run bench: bulk `authctl verify` and `authctl lint` throughput against a bare jose
// jwtVerify loop over the same tokens, and `authctl scan` against secretlint over the same tree,
// measured in the same run on the same machine. Reported as ratios; no time is asserted anywhere.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, createSecretKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
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
    tokens.push(
      await new SignJWT({ sub: `user-${i}`, iss: 'https://issuer.example', aud: 'api', jti: String(i) })
        .setProtectedHeader({ alg })
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(k.sign),
    );
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
  const rv = N / tVerify / base;
  const rl = N / tLint / base;
  worst = Math.min(worst, rv);
  console.log(
    `${alg.padEnd(7)} ${base.toFixed(0).padStart(14)}  ${(N / tVerify).toFixed(0).padStart(12)}  ${rv.toFixed(2).padStart(5)}  ${(N / tLint).toFixed(0).padStart(11)}  ${rl.toFixed(2).padStart(5)}`,
  );
}
console.log(`target: verify ratio >= 0.70 of the bare jose loop; worst here ${worst.toFixed(2)} (${worst >= 0.7 ? 'met' : 'NOT met'})`);

// --- scan: a copy (hard links) of the project's own node_modules with a directory of planted keys
// and tokens, against secretlint with its recommended preset over the same tree in the same run.
// secretlint never enters directories named node_modules, so the copy renames the nested ones.
const root = new URL('..', import.meta.url).pathname;
const tree = join(dir, 'tree');
spawnSync('cp', ['-al', join(root, 'node_modules'), tree]);
for (const nested of spawnSync('find', [tree, '-type', 'd', '-name', 'node_modules'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).reverse()) {
  renameSync(nested, join(nested, '..', 'deps'));
}
const plant = join(tree, 'planted');
mkdirSync(plant);
const plantedFiles = { key: [], token: [] };
for (let i = 0; i < 10; i++) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const files = {
    [`pkcs8-${i}.pem`]: rsa.export({ type: 'pkcs8', format: 'pem' }),
    [`pkcs1-${i}.pem`]: rsa.export({ type: 'pkcs1', format: 'pem' }),
    [`sec1-${i}.pem`]: ec.export({ type: 'sec1', format: 'pem' }),
  };
  for (const [name, pem] of Object.entries(files)) {
    writeFileSync(join(plant, name), pem);
    plantedFiles.key.push(name);
  }
  const token = await new SignJWT({ scope: 'orders:read' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer('https://issuer.example')
    .setSubject(`svc-${i}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(ec);
  writeFileSync(join(plant, `access-${i}.log`), `GET /orders 200 Authorization: Bearer ${token}\n`);
  writeFileSync(join(plant, `settings-${i}.json`), JSON.stringify({ access_token: token }));
  plantedFiles.token.push(`access-${i}.log`, `settings-${i}.json`);
}
const found = (paths) => Object.fromEntries(Object.entries(plantedFiles).map(([kind, names]) => [kind, names.filter((n) => paths.has(n)).length]));
const inTree = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: tree, maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.toString();
};
let authctlFound;
const tAuthctl = time(() => {
  const doc = JSON.parse(inTree(process.execPath, [bin, 'scan', '--format', 'json', '--fail-on', 'low']));
  authctlFound = found(new Set(doc.findings.map((f) => f.path.split('/').pop())));
  authctlFound.files = doc.summary.files_scanned;
});
const rc = join(dir, 'secretlintrc.json');
writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
writeFileSync(join(dir, 'secretlintignore'), '');
let secretlintFound;
const tSecretlint = time(() => {
  const out = join(dir, 'secretlint.json');
  inTree(process.execPath, [
    join(root, 'node_modules/secretlint/bin/secretlint.js'),
    '**/*',
    '--secretlintrc',
    rc,
    '--secretlintignore',
    join(dir, 'secretlintignore'),
    '--format',
    'json',
    '--output',
    out,
  ]);
  const results = JSON.parse(readFileSync(out, 'utf8'));
  secretlintFound = found(new Set(results.filter((r) => r.messages.length).map((r) => r.filePath.split('/').pop())));
  secretlintFound.files = results.length;
});
// Throughput in files per second, so a tool that reads more files is not penalised for it.
const scanRatio = authctlFound.files / tAuthctl / (secretlintFound.files / tSecretlint);
console.log('');
console.log(
  `scan: node_modules + ${plantedFiles.key.length} planted private keys and ${plantedFiles.token.length} planted live tokens, best of ${ROUNDS} rounds`,
);
console.log('tool        files   files/s  keys found  tokens found');
for (const [name, t, f] of [
  ['secretlint', tSecretlint, secretlintFound],
  ['authctl', tAuthctl, authctlFound],
]) {
  console.log(
    `${name.padEnd(10)} ${String(f.files).padStart(6)}  ${(f.files / t).toFixed(0).padStart(7)}  ${String(f.key).padStart(5)}/${plantedFiles.key.length}  ${String(f.token).padStart(7)}/${plantedFiles.token.length}`,
  );
}
const recallOk = authctlFound.key >= secretlintFound.key && authctlFound.token >= secretlintFound.token;
console.log(
  `target: scan >= 3x secretlint's throughput with equal or better recall; here ${scanRatio.toFixed(2)}x, recall ${recallOk ? 'equal or better' : 'WORSE'} (${scanRatio >= 3 && recallOk ? 'met' : 'NOT met'})`,
);
rmSync(dir, { recursive: true, force: true });
