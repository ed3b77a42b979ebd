import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { BIN, cleanupHomes, ROOT, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';
import { DEV_DEFAULTS } from '../../src/core/server/defaults.js';
// @ts-expect-error: a plain ES module shared with $BROWSER
import { signIn } from '../helpers/user-agent.mjs';

/**
 * A person signs in: authorization code + PKCE through a "browser" ($BROWSER is a scripted user
 * agent that fills in the sign-in form), and the device flow, against `authctl serve`.
 */
let box: ReturnType<typeof sandbox>;
let server: Served;
const UA = `${process.execPath} ${join(ROOT, 'test', 'helpers', 'user-agent.mjs')}`;
const person = { UA_USERNAME: DEV_DEFAULTS.username, UA_PASSWORD: DEV_DEFAULTS.password, AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret };

/** Runs the CLI, handing each stderr line to `onLine` as it arrives (to act on a printed URL or code). */
function runLive(
  args: string[],
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: box.dir,
      env: { PATH: process.env.PATH ?? '', ...box.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  box = sandbox();
  server = await serve([], box.env, box.dir);
  for (const [name, grant] of [
    ['web', 'authorization_code'],
    ['tv', 'device_code'],
  ] as const) {
    const r = await box.run([
      'profile',
      'add',
      name,
      '--issuer',
      server.issuer,
      '--client-id',
      DEV_DEFAULTS.clientId,
      '--grant',
      grant,
      '--scope',
      'openid api:read',
    ]);
    expect(r.code).toBe(0);
  }
});
afterAll(async () => {
  await server.stop();
  cleanupHomes();
});

describe('authorization code with PKCE', () => {
  it('signs in through $BROWSER, checks the ID token, keeps the refresh token; the next token get refreshes instead of asking again', async () => {
    const r = await runLive(['token', 'get', '--profile', 'web', '--output', 'json', '--store', 'file'], { ...person, BROWSER: UA });
    expect(r.stderr).toMatch(/sign in to 127\.0\.0\.1:\d+ in your browser/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ token_type: 'Bearer', scope: 'openid api:read', source: 'network', refresh_token_stored: true });
    expect(doc.id_token).toMatch(/^eyJ/);
    expect(JSON.parse(Buffer.from(doc.access_token.split('.')[1], 'base64url').toString()).sub).toBe(DEV_DEFAULTS.username);
    // a fresh sign-in is not needed while the refresh token works: no browser this time
    expect((await box.run(['token', 'cache', 'clear'])).code).toBe(0);
    const again = await runLive(['token', 'get', '--profile', 'web', '--output', 'json', '--store', 'file'], {
      AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret,
      BROWSER: 'false',
    });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).source).toBe('refresh');
    expect(again.stderr).not.toMatch(/sign in/);
  });

  it('--no-browser prints the URL on stderr; the person opens it elsewhere', async () => {
    let opened: Promise<unknown> | undefined;
    const r = await runLive(['token', 'get', '--profile', 'web', '--force', '--no-browser', '--no-cache'], person, (line) => {
      if (/^ {2}http/.test(line)) opened = signIn(line.trim(), { username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
    });
    await opened;
    expect(r.stderr).toMatch(/open this URL in a browser to sign in/);
    expect(r.stderr).toMatch(/code_challenge_method=S256/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('a person who denies is access_denied (exit 4); nobody signing in is a bounded wait', async () => {
    const denied = await runLive(['token', 'get', '--profile', 'web', '--force', '--no-cache'], { ...person, BROWSER: UA, UA_ACTION: 'deny' });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/^authctl: error\[access_denied\]: the sign-in ended with access_denied/m);
    const started = Date.now();
    const waited = await runLive(['token', 'get', '--profile', 'web', '--force', '--no-cache', '--no-browser', '--sign-in-timeout', '2s'], person);
    expect(waited.code).toBe(4);
    expect(waited.stderr).toMatch(/error\[access_denied\]: no sign-in within 2 s/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('a person signs in with DPoP (RFC 9449)', () => {
  it('the code is bound to the key (dpop_jkt, and the proof with a pushed request), the token too; the device flow polls with proofs', async () => {
    expect((await box.run(['keygen', '--type', 'ec', '--out', 'person-dpop'])).code).toBe(0);
    const dpopKey = { AUTHCTL_DPOP_KEY: readFileSync(join(box.dir, 'person-dpop.pem'), 'utf8') };
    const jkt = (await box.run(['key', 'thumbprint', 'person-dpop.pem'])).stdout.trim();
    const jktOf = (stdout: string) => JSON.parse(Buffer.from(JSON.parse(stdout).access_token.split('.')[1], 'base64url').toString()).cnf?.jkt;
    // the URL the person opens names the key; a pushed request carries the proof itself
    let opened: Promise<unknown> | undefined;
    const shown = await runLive(
      ['token', 'get', '--profile', 'web', '--dpop', '--output', 'json', '--no-cache', '--force', '--no-browser'],
      { ...person, ...dpopKey },
      (line) => {
        if (/^ {2}http/.test(line)) opened = signIn(line.trim(), { username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
      },
    );
    await opened;
    expect(shown.stderr).toContain(`dpop_jkt=${jkt}`);
    const pushed = await runLive(['-v', 'token', 'get', '--profile', 'web', '--dpop', '--par', '--output', 'json', '--no-cache', '--force'], {
      ...person,
      ...dpopKey,
      BROWSER: UA,
    });
    expect(pushed.stderr).toMatch(/POST \S+\/par\b/);
    for (const r of [shown, pushed]) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).token_type).toBe('DPoP');
      expect(jktOf(r.stdout)).toBe(jkt);
    }
    let approved: Promise<unknown> | undefined;
    const device = await runLive(
      ['token', 'get', '--profile', 'tv', '--dpop', '--output', 'json', '--no-cache'],
      { AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret, ...dpopKey },
      (line) => {
        const complete = /\(or open (\S+)\)/.exec(line)?.[1];
        if (complete) approved = signIn(complete, { username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
      },
    );
    await approved;
    expect(device.code).toBe(0);
    expect(jktOf(device.stdout)).toBe(jkt);
  });
});

describe('device authorization grant', () => {
  it('prints the code and the page on stderr, polls until the person approves; stdout is the token', async () => {
    let approved: Promise<unknown> | undefined;
    const r = await runLive(['token', 'get', '--profile', 'tv', '--no-cache'], { AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret }, (line) => {
      const complete = /\(or open (\S+)\)/.exec(line)?.[1];
      if (complete) approved = signIn(complete, { username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
    });
    await approved;
    expect(r.stderr).toMatch(/to sign in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code [A-Z]{4}-[A-Z]{4}/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('a profile that names its token_url as well as its issuer still finds the device endpoint (and the keys) by discovery', async () => {
    const add = await box.run([
      'profile',
      'add',
      'tv-pinned',
      '--issuer',
      server.issuer,
      '--token-url',
      `${server.issuer}/token`,
      '--client-id',
      DEV_DEFAULTS.clientId,
      '--grant',
      'device_code',
      '--scope',
      'openid api:read',
    ]);
    expect(add.code).toBe(0);
    let approved: Promise<unknown> | undefined;
    const r = await runLive(['token', 'get', '--profile', 'tv-pinned', '--no-cache'], { AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret }, (line) => {
      const complete = /\(or open (\S+)\)/.exec(line)?.[1];
      if (complete) approved = signIn(complete, { username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
    });
    await approved;
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)]);
  });

  it('a person who denies ends the polling with access_denied (exit 4)', async () => {
    let denied: Promise<unknown> | undefined;
    const r = await runLive(['token', 'get', '--profile', 'tv', '--no-cache'], { AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret }, (line) => {
      const complete = /\(or open (\S+)\)/.exec(line)?.[1];
      if (complete) denied = signIn(complete, { action: 'deny', username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
    });
    await denied;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error\[access_denied\]/);
  });
});

describe('pushed authorization requests (RFC 9126)', () => {
  let strict: Served;
  beforeAll(async () => {
    // a server that requires PAR (its metadata says so), with the development client and user
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(box.dir, 'par.toml'),
      `require_pushed_authorization_requests = true
[[clients]]
client_id = "${DEV_DEFAULTS.clientId}"
client_secret = "${DEV_DEFAULTS.clientSecret}"
grants = ["authorization_code"]
scopes = ["api:read"]
[[users]]
username = "${DEV_DEFAULTS.username}"
password = "${DEV_DEFAULTS.password}"
`,
    );
    strict = await serve(['--settings', 'par.toml'], box.env, box.dir);
    const add = [
      'profile',
      'add',
      'par',
      '--issuer',
      strict.issuer,
      '--client-id',
      DEV_DEFAULTS.clientId,
      '--grant',
      'authorization_code',
      '--scope',
      'openid api:read',
    ];
    expect((await box.run(add)).code).toBe(0);
  }, 30_000);
  afterAll(async () => {
    await strict.stop();
  });

  it('a server that requires PAR: the request is pushed first, the browser carries only client_id and request_uri, and the sign-in completes', async () => {
    let url = '';
    let opened: Promise<unknown> | undefined;
    const r = await runLive(['token', 'get', '--profile', 'par', '--no-browser', '--no-cache'], person, (line) => {
      const found = /^\s+(http\S+)$/.exec(line)?.[1];
      if (found) {
        url = found;
        opened = signIn(found, { username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
      }
    });
    await opened;
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)]);
    const query = new URL(url).searchParams;
    expect([...query.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(query.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(strict.log()).toMatch(/POST \/par 201/);
  });

  it('the server refuses an authorization request that was not pushed, and a request_uri used twice', async () => {
    const plain = await fetch(
      `${strict.issuer}/authorize?response_type=code&client_id=${DEV_DEFAULTS.clientId}&redirect_uri=http://127.0.0.1:9/cb&code_challenge=x&code_challenge_method=S256`,
    );
    expect([plain.status, ((await plain.json()) as { error: string }).error]).toEqual([400, 'invalid_request']);
    const pushed = await fetch(`${strict.issuer}/par`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${DEV_DEFAULTS.clientId}:${DEV_DEFAULTS.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:9/cb',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
        state: 's',
      }),
    });
    expect(pushed.status).toBe(201);
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    const page = `${strict.issuer}/authorize?client_id=${DEV_DEFAULTS.clientId}&request_uri=${encodeURIComponent(request_uri)}`;
    expect((await fetch(page)).status).toBe(200);
    expect((await fetch(page)).status).toBe(400); // once
  });
});
