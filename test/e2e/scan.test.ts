import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { CompactEncrypt, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { ROOT, cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';
import { unsecured } from '../helpers/openssl.js';

/**
 * A fixture tree with a planted secret of every kind and the decoys a real repository is full
 * of. Keys come from openssl and ssh-keygen, tokens from jose: nothing here is made by authctl.
 */
let tree: string;
let outside: string;
const planted: string[] = []; // every secret value: none may appear in any output
const now = () => Math.floor(Date.now() / 1000);

function put(path: string, text: string | Buffer): void {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: tree, stdio: ['ignore', 'pipe', 'ignore'] });
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
const scan = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(['scan', ...args], { cwd: tree, env, input });

const EXPECTED = [
  ['config/.env', 'client-secret', 'high'],
  ['config/.env', 'password', 'high'],
  ['config/.env', 'secret-assignment', 'high'],
  ['config/app.json', 'client-secret', 'high'],
  ['config/app.yaml', 'password', 'high'],
  ['keys/id_ed25519', 'private-key', 'critical'],
  ['keys/id_ed25519_locked', 'private-key-encrypted', 'low'],
  ['keys/locked.pem', 'private-key-encrypted', 'low'],
  ['keys/pkcs1.pem', 'private-key', 'critical'],
  ['keys/pkcs8.pem', 'private-key', 'critical'],
  ['keys/private.jwk.json', 'private-jwk', 'critical'],
  ['keys/sec1.pem', 'private-key', 'critical'],
  ['logs/app.log', 'basic-auth', 'high'],
  ['logs/app.log', 'bearer-token', 'high'],
  ['logs/app.log', 'jwt', 'critical'],
  ['scripts/get-token.sh', 'basic-auth', 'high'],
  ['scripts/get-token.sh', 'client-secret', 'high'],
  ['src/signing.ts', 'private-key', 'critical'],
  ['tokens/expired.txt', 'jwt', 'low'],
  ['tokens/jwe.txt', 'jwe', 'medium'],
  ['tokens/unsigned.txt', 'jwt', 'medium'],
].map(([path, rule, severity]) => ({ path, rule, severity }));

beforeAll(async () => {
  tree = tmpHome();
  outside = tmpHome();
  // --- keys from other tools
  sh('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'pkcs8.pem']);
  sh('openssl', ['genrsa', '-traditional', '-out', 'pkcs1.pem', '2048']);
  sh('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sec1.pem']);
  sh('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes256', '-pass', 'pass:correct horse battery', '-out', 'locked.pem']);
  sh('openssl', ['pkey', '-in', 'pkcs8.pem', '-pubout', '-out', 'public.pem']);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ci@example', '-f', 'id_ed25519']);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a long passphrase', '-f', 'id_ed25519_locked']);
  for (const name of ['pkcs8.pem', 'pkcs1.pem', 'sec1.pem', 'locked.pem', 'public.pem', 'id_ed25519', 'id_ed25519_locked', 'id_ed25519.pub']) {
    put(`keys/${name}`, readFileSync(join(tree, name)));
    if (!name.includes('pub') && !name.startsWith('public')) planted.push(pemBody(readFileSync(join(tree, name), 'utf8')).slice(40, 80));
    execFileSync('rm', [join(tree, name)]);
  }
  execFileSync('rm', ['-f', join(tree, 'id_ed25519_locked.pub')]);
  const pkcs8 = readFileSync(join(tree, 'keys/pkcs8.pem'), 'utf8');
  // a key pasted into source code as a string literal with \n escapes
  put('src/signing.ts', `export const KEY = "${pkcs8.trim().replace(/\n/g, '\\n')}";\n`);

  // --- JWKs: a private one (reported) and the public JWKS next to it (not)
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const priv = { ...(await exportJWK(privateKey)), kid: 'k1' };
  put('keys/private.jwk.json', JSON.stringify(priv, null, 2));
  put('keys/jwks.json', JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig' }] }, null, 2));
  planted.push(priv.d!);

  // --- tokens from jose
  const live = await new SignJWT({ scope: 'orders:read' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer('https://issuer.test')
    .setSubject('svc')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  const expired = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuedAt(now() - 7200)
    .setExpirationTime(now() - 3600)
    .sign(privateKey);
  const jwe = await new CompactEncrypt(new TextEncoder().encode('{"sub":"svc"}'))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(new Uint8Array(32).fill(7));
  const none = unsecured({ sub: 'admin', exp: now() + 3600 });
  planted.push(live, expired, jwe, none);
  put('tokens/expired.txt', `${expired}\n`);
  put('tokens/jwe.txt', `token=${jwe}\n`);
  put('tokens/unsigned.txt', `${none}\n`);

  // --- config files
  put(
    'config/.env',
    [
      '# service settings',
      'CLIENT_ID=orders-service',
      'CLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY',
      'DB_PASSWORD=Tr0ub4dor&3x',
      'WEBHOOK_SECRET=wh_5Tq9Lr2Xz8Vb4Nc7',
      'API_KEY=${API_KEY}',
      'TOKEN_URL=https://auth.example.com/token',
      '',
    ].join('\n'),
  );
  put('config/.env.example', ['CLIENT_SECRET=your-client-secret', 'PASSWORD=changeme', 'API_KEY=<api-key>', 'REFRESH_TOKEN=', ''].join('\n'));
  put(
    'config/app.json',
    JSON.stringify(
      { client_id: 'svc', client_secret: '9f8e7d6c5b4a3f2e1d0c9b8a', password: '<password>', token_endpoint: 'https://auth.example.com/token' },
      null,
      2,
    ),
  );
  put('config/app.yaml', ['auth:', '  client_secret: ${CLIENT_SECRET}', '  password: "S3cure!Passw0rd-2024"', '  api_key: your-api-secret', ''].join('\n'));
  // encrypted material: committed on purpose, decoys
  put(
    'config/secrets.enc.yaml',
    ['db:', '  password: ENC[AES256_GCM,data:8mQ1tXz9,iv:4Rk0pLq2wE7yT5uI,tag:Zx3Cv6Bn9Mm1Qa2W,type:str]', 'sops:', '  version: 3.8.1', ''].join('\n'),
  );
  put('config/application.yml', ['spring:', '  datasource:', "    password: '{cipher}AQB8mK2xP9vR4tY7wZ1cN5bH3jL6fD0sG'", ''].join('\n'));
  put('group_vars/all.yml', ['db_password: !vault |', '  $ANSIBLE_VAULT;1.1;AES256', '  6233343531356230343036353466363834363263383530', ''].join('\n'));
  planted.push('Zk8pQ2vX9mL4nR7tB3wY', 'Tr0ub4dor&3x', 'wh_5Tq9Lr2Xz8Vb4Nc7', '9f8e7d6c5b4a3f2e1d0c9b8a', 'S3cure!Passw0rd-2024');

  // --- curl commands and logs
  put(
    'scripts/get-token.sh',
    [
      '#!/bin/sh',
      // authctl:allow (a planted fixture)
      'curl -u my-client:q7Wm2Zp9Lk4Xv8Rt https://auth.example.com/token -d grant_type=client_credentials',
      // authctl:allow (a planted fixture)
      'curl https://auth.example.com/token -d "grant_type=client_credentials&client_id=svc&client_secret=Hq3nV8zP5mK2wX7c"',
      'curl -u "$CLIENT_ID:$CLIENT_SECRET" https://auth.example.com/token',
      'curl -H "Authorization: Bearer $(authctl token get)" https://api.example.com/orders',
      '',
    ].join('\n'),
  );
  const basic = Buffer.from('orders-service:Lp4Wq8Zr2Nx6Tv9K').toString('base64');
  put(
    'logs/app.log',
    [
      `2026-11-24T10:00:00Z GET /orders Authorization: Bearer ${live}`,
      `2026-11-24T10:00:01Z POST /token Authorization: Basic ${basic}`,
      // authctl:allow (a planted fixture)
      '2026-11-24T10:00:02Z GET /v1/ping Authorization: Bearer 8a7sd6f5g4h3j2k1l0qwe9rtyZX',
      '2026-11-24T10:00:03Z GET /v1/ping Authorization: Bearer <token>',
      '',
    ].join('\n'),
  );
  planted.push('q7Wm2Zp9Lk4Xv8Rt', 'Hq3nV8zP5mK2wX7c', 'Lp4Wq8Zr2Nx6Tv9K', basic, '8a7sd6f5g4h3j2k1l0qwe9rtyZX');

  // --- decoys in documentation: truncated examples, the jwt.io sample, public material
  put(
    'docs/README.md',
    [
      'Send the token: `Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdmMifQ.…`',
      'The jwt.io sample: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      'A key looks like this:',
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...',
      '-----END PRIVATE KEY-----',
      'curl -u my-client:your-client-secret https://auth.example.com/token',
      'curl -d "client_secret=<client-secret>" https://auth.example.com/token',
      '',
    ].join('\n'),
  );
  put('docs/allowed.md', `Fixture used by a test (authctl:allow): ${live}\n`);

  // --- what the walk must leave alone
  put('.gitignore', 'ignored/\n*.local\n');
  put('ignored/secret.pem', readFileSync(join(tree, 'keys/pkcs1.pem')));
  put('config/dev.local', 'CLIENT_SECRET=Ig9nOrEd7Lo4cAl2\n');
  put('vendor/.gitignore', 'cache.txt\n');
  put('vendor/cache.txt', `${live}\n`);
  put('.authctlignore', 'fixtures/\n');
  put('fixtures/token.txt', `${live}\n`);
  writeFileSync(join(outside, 'leak.pem'), readFileSync(join(tree, 'keys/pkcs8.pem')));
  symlinkSync(outside, join(tree, 'linked'));
  symlinkSync(join(outside, 'leak.pem'), join(tree, 'keys/linked.pem'));
  put('bin/blob.bin', Buffer.concat([Buffer.from([0, 1, 2, 0]), readFileSync(join(tree, 'keys/pkcs8.pem'))]));
  put('big/huge.txt', `${'x'.repeat(2 * 1024 * 1024)}\n${live}\n`);
}, 60_000);
afterAll(cleanupHomes);

const summarize = (findings: { path: string; rule: string; severity: string }[]) =>
  findings.map(({ path, rule, severity }) => ({ path, rule, severity })).sort((a, b) => a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule));

function expectNoSecret(output: string): void {
  for (const secret of planted) expect(output).not.toContain(secret);
}

describe('authctl scan over a planted tree', () => {
  it('this repository itself is clean (fixtures carry authctl:allow)', async () => {
    const r = await runCli(['scan'], { cwd: ROOT });
    expect(r.stdout).toMatch(/^✔ 0 findings in \d+ files/m);
    expect(r.code).toBe(0);
  });

  it('finds every planted secret once, no decoy, and exits 1', async () => {
    const r = await scan(['--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(summarize(doc.findings)).toEqual(EXPECTED);
    // binary, oversized and symlinked files were counted, not read
    expect(doc.summary).toMatchObject({ skipped_binary: 1, skipped_large: 1, skipped_symlinks: 2 });
    expectNoSecret(r.stdout + r.stderr);
  });

  it('judges every JWT through the claims module: live outranks expired, alg none is named', async () => {
    const doc = JSON.parse((await scan(['--format', 'json', 'logs', 'tokens'])).stdout);
    const byPath = Object.fromEntries(doc.findings.map((f: { path: string; rule: string }) => [`${f.path} ${f.rule}`, f]));
    expect(byPath['logs/app.log jwt'].message).toMatch(/^live, expires in (59|60) min; iss https:\/\/issuer\.test; sub svc; lifetime 60 min; alg ES256$/);
    expect(byPath['tokens/expired.txt jwt'].message).toBe('expired 60 min ago; lifetime 60 min; alg ES256');
    expect(byPath['tokens/expired.txt jwt'].claims.map((c: { code: string }) => c.code)).toContain('token_expired');
    expect(byPath['tokens/unsigned.txt jwt'].message).toMatch(/alg none: unsigned.*\[alg_not_allowed\]/);
    expect(byPath['tokens/jwe.txt jwe'].message).toMatch(/encrypted token \(alg dir, enc A256GCM\)/);
  });

  it('prints path:line:col, severity, rule and a masked value, and counts what it skipped', async () => {
    const r = await scan(['config', 'scripts', 'logs']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^config\/\.env:3:1 {2}high {5}client-secret {2}\S+/m);
    expect(r.stdout).toMatch(/^scripts\/get-token\.sh:2:6 {2}high {5}basic-auth/m);
    expect(r.stdout).toMatch(/^scripts\/get-token\.sh:3:\d+ {2}high {5}client-secret/m);
    expect(r.stdout).toMatch(/^logs\/app\.log:1:\d+ {2}critical jwt {2}eyJhbGciOi…/m);
    expect(r.stdout).toMatch(/✖ 10 findings in 8 files; 10 at or above medium$/m);
    expectNoSecret(r.stdout + r.stderr);
  });

  it('--fail-on sets the exit status in every format; low findings alone pass the default', async () => {
    expect((await scan(['tokens/expired.txt'])).code).toBe(0);
    expect((await scan(['tokens/expired.txt', '--fail-on', 'low'])).code).toBe(1);
    expect((await scan(['tokens', '--fail-on', 'critical', '--format', 'sarif'])).code).toBe(0);
    expect((await scan(['keys', '--fail-on', 'critical', '--format', 'sarif'])).code).toBe(1);
    expect((await scan(['docs'])).code).toBe(0);
  });

  it('--format sarif is valid SARIF 2.1.0 (the OASIS schema) with rules, locations and fingerprints', async () => {
    const r = await scan(['--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    const require = createRequire(import.meta.url);
    const Ajv = require('ajv-draft-04');
    const addFormats = require('ajv-formats');
    const ajv = new Ajv({ strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(EXPECTED.length);
    const ruleIds = sarif.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id);
    for (const result of results) expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
    const pkcs1 = results.find(
      (x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri === 'keys/pkcs1.pem',
    );
    expect(pkcs1).toMatchObject({
      ruleId: 'private-key',
      level: 'error',
      locations: [{ physicalLocation: { region: { startLine: 1, startColumn: 1 } } }],
      properties: { 'security-severity': '9.5' },
    });
    expect(pkcs1.partialFingerprints['authctlSecret/v1']).toMatch(/^[0-9a-f]{32}$/);
    expectNoSecret(r.stdout);
  });

  it('writes GitHub Actions annotations on stderr when GITHUB_ACTIONS=true', async () => {
    const r = await scan(['config/app.json', 'tokens/expired.txt'], { GITHUB_ACTIONS: 'true' });
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^::error file=config\/app\.json,line=3,col=\d+,title=authctl client-secret::client_secret is assigned a literal value \(\[redacted sha256:[0-9a-f]{8}\]\)$/,
      ),
      expect.stringMatching(
        /^::notice file=tokens\/expired\.txt,line=1,col=1,title=authctl jwt::expired 60 min ago; lifetime 60 min; alg ES256 \(eyJhbGciOi…\(sha256:[0-9a-f]{8}\)\)$/,
      ),
    ]);
    expect((await scan(['config/app.json'])).stderr).toBe('');
  });

  it('reads stdin with -, e.g. a log stream', async () => {
    const r = await scan(['-'], {}, readFileSync(join(tree, 'logs/app.log'), 'utf8'));
    expect(r.code).toBe(1);
    expect(
      summarize(JSON.parse((await scan(['-', '--json'], {}, readFileSync(join(tree, 'logs/app.log'), 'utf8'))).stdout).findings).map((f) => f.rule),
    ).toEqual(['basic-auth', 'bearer-token', 'jwt']);
    expect(r.stdout).toMatch(/^<stdin>:1:/m);
  });
});

describe('authctl scan over a large tree (worker threads)', () => {
  it('finds the same secrets when the files are spread over workers', async () => {
    const big = tmpHome();
    const key = readFileSync(join(tree, 'keys/pkcs8.pem'), 'utf8');
    for (let i = 0; i < 600; i++) {
      mkdirSync(join(big, `pkg${i % 20}`), { recursive: true });
      const planted = i % 100 === 7 ? key : i % 100 === 42 ? 'client_secret: "9f8e7d6c5b4a3f2e1d0c9b8a"\n' : '';
      writeFileSync(
        join(big, `pkg${i % 20}`, `file${i}.${i % 100 === 42 ? 'yaml' : 'js'}`),
        `// module ${i}\nexport const token = process.env.TOKEN;\n${planted}`,
      );
    }
    const r = await runCli(['scan', '--json'], { cwd: big });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.files_scanned).toBe(600);
    expect(summarize(doc.findings)).toEqual(
      [7, 42, 107, 142, 207, 242, 307, 342, 407, 442, 507, 542]
        .map((i) => ({
          path: `pkg${i % 20}/file${i}.${i % 100 === 42 ? 'yaml' : 'js'}`,
          rule: i % 100 === 7 ? 'private-key' : 'client-secret',
          severity: i % 100 === 7 ? 'critical' : 'high',
        }))
        .sort((a, b) => a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule)),
    );
  });
});

describe('authctl scan baselines', () => {
  it('a baseline accepts the recorded secrets even after lines are inserted above them, and nothing new', async () => {
    const dir = tmpHome();
    const env = ['# app', 'CLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY', ''].join('\n');
    writeFileSync(join(dir, 'app.env'), env);
    const w = await runCli(['scan', '--write-baseline', 'baseline.json'], { cwd: dir });
    expect(w.code).toBe(0);
    const baseline = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8'));
    expect(baseline).toEqual({ version: 2, fingerprints: [{ fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), rule: 'client-secret', path: 'app.env' }] });
    expect(JSON.stringify(baseline)).not.toContain('Zk8pQ2vX9mL4nR7tB3wY');

    writeFileSync(join(dir, 'app.env'), `# moved down by a rebase\n\n\n${env}`);
    const accepted = await runCli(['scan', '--baseline', 'baseline.json'], { cwd: dir });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/0 findings in 2 files; 1 accepted by the baseline/);

    // a rename keeps it accepted: the baseline keys by the secret, not the path
    renameSync(join(dir, 'app.env'), join(dir, 'service.env'));
    const renamed = await runCli(['scan', '--baseline', 'baseline.json'], { cwd: dir });
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toMatch(/1 accepted by the baseline/);

    writeFileSync(join(dir, 'app.env'), `${env}DB_PASSWORD=Tr0ub4dor&3x\n`);
    const fresh = await runCli(['scan', '--baseline', 'baseline.json', '--json'], { cwd: dir });
    expect(fresh.code).toBe(1);
    expect(JSON.parse(fresh.stdout).findings.map((f: { rule: string; line: number }) => [f.rule, f.line])).toEqual([['password', 3]]);
  });

  it('a file that is not a baseline is a usage error', async () => {
    const dir = tmpHome();
    writeFileSync(join(dir, 'bad.json'), '{"fingerprints": 3}');
    const r = await runCli(['scan', '--baseline', 'bad.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^authctl: error\[baseline_invalid\]: bad\.json: not an authctl baseline/);
    const missing = await runCli(['scan', 'no-such-dir'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^authctl: error\[file_unreadable\]: no-such-dir: no such file or directory/);
  });
});

describe('authctl scan --staged (pre-commit)', () => {
  it('scans what is in the index, not the working tree', async () => {
    const repo = tmpHome();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    git('init', '-q');
    writeFileSync(join(repo, 'settings.json'), JSON.stringify({ client_secret: '9f8e7d6c5b4a3f2e1d0c9b8a' }));
    writeFileSync(join(repo, 'notes.env'), 'PASSWORD=Tr0ub4dor&3x\n'); // not staged
    git('add', 'settings.json');
    writeFileSync(join(repo, 'settings.json'), '{}'); // fixed in the working tree, but the index still has it
    const r = await runCli(['scan', '--staged', '--json'], { cwd: repo });
    expect(r.code).toBe(1);
    expect(summarize(JSON.parse(r.stdout).findings)).toEqual([{ path: 'settings.json', rule: 'client-secret', severity: 'high' }]);

    git('add', 'settings.json');
    expect((await runCli(['scan', '--staged'], { cwd: repo })).code).toBe(0);
    const outsideRepo = await runCli(['scan', '--staged'], { cwd: tmpHome() });
    expect(outsideRepo.code).toBe(2);
    expect(outsideRepo.stderr).toMatch(/^authctl: error\[git_failed\]: --staged needs a git work tree/);
  });
});
