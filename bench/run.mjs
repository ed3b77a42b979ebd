// npm run bench: bulk `authctl verify` and `authctl lint` throughput against a bare jose
// jwtVerify loop over the same tokens, and `authctl scan` against secretlint over the same tree,
// measured in the same run on the same machine. Reported as ratios; no time is asserted anywhere.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, createSecretKey } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';

const N = Number(process.env.BENCH_TOKENS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'authctl-bench-'));
const bin = new URL('../bin/authctl.cjs', import.meta.url).pathname;
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
let esKeyArgs;
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
  if (alg === 'ES256') {
    // for the long stream at the end (keys() reuses its file names, so keep a copy)
    writeFileSync(join(dir, 'long.pub.pem'), readFileSync(k.file));
    esKeyArgs = ['--key', join(dir, 'long.pub.pem')];
  }
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
  if (alg !== 'HS256') worst = Math.min(worst, rv);
  console.log(
    `${alg.padEnd(7)} ${base.toFixed(0).padStart(14)}  ${(N / tVerify).toFixed(0).padStart(12)}  ${rv.toFixed(2).padStart(5)}  ${(N / tLint).toFixed(0).padStart(11)}  ${rl.toFixed(2).padStart(5)}`,
  );
}
console.log(`target: ES256 and RS256 verify >= 1.8x the bare jose loop; worst here ${worst.toFixed(2)} (${worst >= 1.8 ? 'met' : 'NOT met'})`);

// Start-up: each command ÷ node running an empty module, interleaved so load drifts hit all of
// them alike; medians. An empty config directory, so no profile is read.
const STARTS = Number(process.env.BENCH_STARTS ?? 31);
const emptyModule = join(dir, 'empty.mjs');
writeFileSync(emptyModule, '');
// NODE_EXTRA_CA_CERTS (set on some machines) makes every node read a CA bundle at start, the empty
// module too: it would hide what authctl itself adds, so start-ups are measured without it.
const { NODE_EXTRA_CA_CERTS: _ca, ...inherited } = process.env;
// Output goes into a pipe, as when a script reads it (`TOKEN=$(authctl …)`); colour is left to decide.
const startEnv = { ...inherited, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') };
const sample = async (alg, k) =>
  new SignJWT({ sub: 'a', aud: 'api' })
    .setProtectedHeader({ alg })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(k.sign);
const hs = keys('HS256');
const es = keys('ES256');
const hsToken = await sample('HS256', hs);
const node = process.execPath;
const starts = {
  'node (empty module)': [node, emptyModule],
  '--version': [node, bin, '--version'],
  '--help': [node, bin, '--help'],
  decode: [node, bin, 'decode', hsToken],
  lint: [node, bin, 'lint', '--aud', 'api', hsToken],
  'verify (HMAC)': [node, bin, 'verify', ...hs.verifyArgs, '--alg', 'HS256', '--aud', 'api', hsToken],
  'verify (PEM key)': [node, bin, 'verify', ...es.verifyArgs, '--alg', 'ES256', '--aud', 'api', await sample('ES256', es)],
};
// The single executable (npm run sea), when it has been built: against node running bin/authctl.cjs.
const exe = new URL('../dist/authctl-linux-x64', import.meta.url).pathname;
const SEA = existsSync(exe) ? ['decode (single executable)', '--version (single executable)'] : [];
if (SEA.length) {
  starts[SEA[0]] = [exe, 'decode', hsToken];
  starts[SEA[1]] = [exe, '--version'];
}
// A command's first run has no compile cache yet (bin/authctl.cjs): it compiles, and saves one. Shown,
// not held to the target.
const COLD = 'verify (PEM), first run';
starts[COLD] = starts['verify (PEM key)'];
const startMs = Object.fromEntries(Object.keys(starts).map((name) => [name, []]));
for (let i = 0; i < STARTS; i++) {
  for (const [name, args] of Object.entries(starts)) {
    const env = name === COLD ? { ...startEnv, XDG_CACHE_HOME: mkdtempSync(join(dir, 'cold-')) } : startEnv;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(args[0], args.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    startMs[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const nodeMs = median(startMs['node (empty module)']);
console.log('');
console.log(`start-up: medians of ${STARTS} runs each, interleaved`);
console.log('command                    ms   ÷ node');
let worstStart = 0;
for (const [name, xs] of Object.entries(startMs)) {
  const ratio = median(xs) / nodeMs;
  if (name !== 'node (empty module)' && name !== COLD && !SEA.includes(name)) worstStart = Math.max(worstStart, ratio);
  console.log(`${name.padEnd(24)} ${median(xs).toFixed(1).padStart(5)}   ${ratio.toFixed(2)}`);
}
console.log(`target: start-up <= 1.25x node on an empty module; worst here ${worstStart.toFixed(2)} (${worstStart <= 1.25 ? 'met' : 'NOT met'})`);
if (SEA.length) {
  const seaRatio = Math.max(median(startMs[SEA[0]]) / median(startMs.decode), median(startMs[SEA[1]]) / median(startMs['--version']));
  console.log(
    `single executable ÷ node bin/authctl.cjs (decode, --version): worst ${seaRatio.toFixed(2)} (goal 0.9; at most 1: ${seaRatio <= 1 ? 'met' : 'NOT met'})`,
  );
} else console.log('single executable: not built (npm run sea), not measured');

// A cached `token get` against `decode` of the same token: authctl's own local server, a profile
// that finds its endpoints by discovery, one real token request, then cache hits only.
const served = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json'], { env: startEnv, stdio: ['ignore', 'pipe', 'ignore'] });
const issuer = await new Promise((resolve, reject) => {
  let out = '';
  served.stdout.on('data', (d) => {
    out += d;
    const m = /"issuer": "([^"]+)"/.exec(out);
    if (m) resolve(m[1]);
  });
  served.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
});
const tokenEnv = { ...startEnv, AUTHCTL_CLIENT_SECRET: 'dev-client-secret', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
spawnSync(process.execPath, [bin, 'profile', 'add', 'local', '--issuer', issuer, '--client-id', 'dev-client'], { env: tokenEnv });
const got = spawnSync(process.execPath, [bin, 'token', 'get', '--profile', 'local'], { env: tokenEnv, encoding: 'utf8' });
if (got.status !== 0) throw new Error(`token get exited ${got.status}: ${got.stderr}`);
const cachedRuns = { decode: [bin, 'decode', got.stdout.trim()], 'token get (cached)': [bin, 'token', 'get', '--profile', 'local'] };
const cachedMs = Object.fromEntries(Object.keys(cachedRuns).map((name) => [name, []]));
for (let i = 0; i < STARTS; i++) {
  for (const [name, args] of Object.entries(cachedRuns)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env: tokenEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    cachedMs[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  }
}
served.kill();
const cachedRatio = median(cachedMs['token get (cached)']) / median(cachedMs.decode);
console.log('');
console.log(
  `token get from the file cache (no keychain): ${median(cachedMs['token get (cached)']).toFixed(1)} ms, decode ${median(cachedMs.decode).toFixed(1)} ms: ${cachedRatio.toFixed(2)}x decode`,
);
console.log(`target: cached token get <= 1.3x decode (${cachedRatio <= 1.3 ? 'met' : 'NOT met'})`);

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
const plantedFiles = { key: [], token: [], provider: [] };
// The secrets people leak beyond JOSE (issue: provider rules), one file each, with valid formats.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const b62 = (n) => Array.from(randomBytes(n), (b) => BASE62[b % 62]).join('');
const { crc32 } = await import('node:zlib');
const checksummed = (prefix) => {
  const random = b62(30);
  let sum = crc32(Buffer.from(random));
  let tail = '';
  for (let i = 0; i < 6; i++) {
    tail = BASE62[sum % 62] + tail;
    sum = Math.floor(sum / 62);
  }
  return `${prefix}${random}${tail}`;
};
const providerSecrets = {
  'aws.ini': `[default]\naws_access_key_id = AKIA${Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')}\naws_secret_access_key = ${randomBytes(30).toString('base64')}\n`,
  'github.sh': `export GH_TOKEN=${checksummed('ghp_')}\n`,
  'gitlab.yml': `token: glpat-${b62(20)}\n`,
  'slack.js': `const bot = 'xoxb-1234567890-123456789012-${b62(24)}';\n`,
  'stripe.py': `stripe.api_key = "sk_live_${b62(24)}"\n`,
  'google.html': `<script src="https://maps.googleapis.com/maps/api/js?key=AIza${b62(35)}"></script>\n`,
  'npmrc.txt': `//registry.npmjs.org/:_authToken=${checksummed('npm_')}\n`,
  'sendgrid.rb': `SENDGRID = 'SG.${b62(22)}.${b62(43)}'\n`,
  'azure.cs': `var cs = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${randomBytes(64).toString('base64')};EndpointSuffix=core.windows.net";\n`,
  'twilio.go': `key := "SK${randomBytes(16).toString('hex')}"\n`,
};
for (const [name, text] of Object.entries(providerSecrets)) {
  writeFileSync(join(plant, name), text);
  plantedFiles.provider.push(name);
}
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
console.log('tool        files   files/s  keys found  tokens found  provider secrets found');
for (const [name, t, f] of [
  ['secretlint', tSecretlint, secretlintFound],
  ['authctl', tAuthctl, authctlFound],
]) {
  console.log(
    `${name.padEnd(10)} ${String(f.files).padStart(6)}  ${(f.files / t).toFixed(0).padStart(7)}  ${String(f.key).padStart(5)}/${plantedFiles.key.length}  ${String(f.token).padStart(7)}/${plantedFiles.token.length}  ${String(f.provider).padStart(12)}/${plantedFiles.provider.length}`,
  );
}
const recallOk = authctlFound.key >= secretlintFound.key && authctlFound.token >= secretlintFound.token && authctlFound.provider >= secretlintFound.provider;
console.log(
  `target: scan >= 3x secretlint's throughput with equal or better recall; here ${scanRatio.toFixed(2)}x, recall ${recallOk ? 'equal or better' : 'WORSE'} (${scanRatio >= 3 && recallOk ? 'met' : 'NOT met'})`,
);

// History: a generated repository of HISTORY_COMMITS commits (git fast-import), a secret added and
// later deleted every 500 commits; `authctl scan --history` over all of it: commits/s and peak RSS.
const COMMITS = Number(process.env.BENCH_COMMITS ?? 10000);
const repo = join(dir, 'history');
mkdirSync(repo);
spawnSync('git', ['init', '-q', repo]);
let stream = '';
let planted = 0;
for (let i = 1; i <= COMMITS; i++) {
  const secret = i % 500 === 0;
  if (secret) planted++;
  const content = secret ? `CLIENT_SECRET=${b62(24)}\n` : `line ${i} ${b62(40)}\n`;
  const file = secret ? 'app.env' : `src/file-${i % 200}.txt`;
  stream += `commit refs/heads/main\nmark :${i}\nauthor B <b@example.com> ${1_700_000_000 + i} +0000\ncommitter B <b@example.com> ${1_700_000_000 + i} +0000\ndata 8\ncommit ${i % 10}\n${i > 1 ? `from :${i - 1}\n` : ''}M 644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
}
spawnSync('git', ['fast-import', '--quiet'], { cwd: repo, input: stream, maxBuffer: 1 << 30 });
spawnSync('git', ['reset', '-q', '--hard', 'main'], { cwd: repo });
const peakRss = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
/** Runs authctl, sampling its peak RSS (kB) from /proc; `keep` keeps stdout, else only its lines are counted. */
const measured = (args, { cwd, stdin, keep = false }) =>
  new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: [stdin === undefined ? 'ignore' : openSync(stdin, 'r'), 'pipe', 'ignore'] });
    let out = '';
    let lines = 0;
    let rss = 0;
    const poll = setInterval(() => {
      try {
        rss = Math.max(rss, peakRss(child.pid));
      } catch {}
    }, 20);
    child.stdout.on('data', (d) => {
      if (keep) out += d;
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    });
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, rss, lines, out, code });
    });
  });
const historyRun = async () => {
  const run = await measured(['scan', '--history', '--json', '--fail-on', 'critical'], { cwd: repo, keep: true });
  return { ...run, doc: JSON.parse(run.out) };
};
const history = await historyRun();
console.log('');
console.log(`scan --history: ${history.doc.summary.commits_scanned} commits (generated), ${history.doc.findings.length}/${planted} planted secrets found`);
console.log(
  `  ${(history.doc.summary.commits_scanned / history.seconds).toFixed(0)} commits/s, ${history.seconds.toFixed(1)} s, peak RSS ${(history.rss / 1024).toFixed(0)} MB`,
);

// Memory on a long stream: the ES256 tokens above, repeated to a million lines.
const MILLION = Number(process.env.BENCH_MILLION ?? 1_000_000);
const long = join(dir, 'long.tokens');
const es256 = readFileSync(join(dir, 'ES256.tokens'));
writeFileSync(long, '');
for (let n = 0; n < MILLION; n += N) appendFileSync(long, es256);
const bulk = await measured(['verify', ...esKeyArgs, '--alg', 'ES256', '--aud', 'api', '--json', '-'], { stdin: long });
if (bulk.code !== 0 || bulk.lines < MILLION) throw new Error(`bulk verify exited ${bulk.code} after ${bulk.lines} results: every token should verify`);
console.log('');
console.log(
  `bulk verify of ${bulk.lines} tokens: ${bulk.seconds.toFixed(1)} s, peak RSS ${(bulk.rss / 1024).toFixed(0)} MB (target < 200 MB: ${bulk.rss < 200 * 1024 ? 'met' : 'NOT met'})`,
);
console.log(
  `node ${process.version}, ${availableParallelism()} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
rmSync(dir, { recursive: true, force: true });
