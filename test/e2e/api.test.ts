import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, type CliResult, sandbox } from '../helpers/cli.js';
import { addGooclaim, SEED, startProviders, type ProviderFixture } from '../helpers/providers.js';
import { json, startServer, type FixtureServer } from '../helpers/server.js';

/**
 * `authctl api` against a resource server on 127.0.0.1 that answers 401 for a revoked token (as
 * the Gooclaim document's API does), with tokens from the Gooclaim fixture's token endpoint.
 */
let box: ReturnType<typeof sandbox>;
let fx: ProviderFixture;
let resource: FixtureServer;
let evil: FixtureServer;
const evilSeen: string[] = [];
let busy = 0;
const revoked = new Set<string>();
const seen: { method: string; path: string; authorization?: string; contentType?: string; body: string }[] = [];
const secret = { AUTHCTL_CLIENT_SECRET: SEED.gooclaim.clientSecret };
// The resource server is not on the gooclaim profile's base_url: each run allows its origin.
const api = (args: string[], input?: string): Promise<CliResult> =>
  box.run(['api', '--profile', 'gooclaim', '--allow-origin', resource.url, ...args], secret, input);
const tokenRequests = () => fx.tokenRequests.length;

beforeAll(async () => {
  box = sandbox();
  fx = await startProviders();
  resource = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      seen.push({
        method: String(req.method),
        path: String(req.url),
        authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString(),
      });
      const token = authorization?.replace(/^Bearer /, '') ?? '';
      if (!token || revoked.has(token) || req.url === '/always-401')
        return json(res, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }, 401);
      if (req.url === '/boom') return json(res, { error: 'database down' }, {}, 503);
      if (req.url === '/busy-once' && busy++ === 0) return json(res, { error: 'slow down' }, { 'retry-after': '1' }, 429);
      if (req.url === '/missing') return json(res, { error: 'no such workflow' }, {}, 404);
      if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(3 * 1024 * 1024));
      // Pages: /pages?page=1 links to 2, 2 to 3, the last; /leaky's second page links to another origin.
      const page = /^\/(pages|leaky)\?page=(\d)$/.exec(String(req.url));
      if (page) {
        const n = Number(page[2]);
        const next =
          page[1] === 'leaky' && n === 2 ? `, <${evil.url}/pages?page=3>; rel="next"` : n < 3 ? `, <${resource.url}/${page[1]}?page=${n + 1}>; rel="next"` : '';
        return json(res, [{ page: n }], { link: `<${resource.url}/${page[1]}?page=1>; rel="first"${next}` });
      }
      json(res, { workflow: 'wf_abc123', method: req.method, received: Buffer.concat(chunks).toString() }, { 'x-request-id': 'r-1' });
    });
  });
  // A second origin on another port that records whatever reaches it.
  evil = await startServer((req, res) => {
    evilSeen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    json(res, {});
  });
  const r = await box.run(addGooclaim('gooclaim', fx.url));
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await Promise.all([fx.close(), resource.close(), evil.close()]);
  cleanupHomes();
});

describe('authctl api', () => {
  it('GET with the profile token in the Authorization header only; the body on stdout; the token never printed', async () => {
    const r = await api([`${resource.url}/v1/workflows/wf_abc123`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ workflow: 'wf_abc123', method: 'GET' });
    const sent = seen.at(-1)!;
    expect(sent.authorization).toMatch(/^Bearer eyJ/);
    expect(r.stdout + r.stderr).not.toContain(sent.authorization!.slice(7));
  });

  it('a path is taken from the profile base_url; -i prints the status and headers first', async () => {
    const add = await box.run([
      'profile',
      'add',
      'res',
      '--base-url',
      `${resource.url}/v1`,
      '--token-url',
      `${fx.url}/gooclaim/v1/auth/token`,
      '--client-id',
      SEED.gooclaim.clientId,
      '--client-auth',
      'client_secret_post',
      '--body-format',
      'json',
    ]);
    expect(add.code).toBe(0);
    const r = await box.run(['api', '--profile', 'res', '-i', 'workflows/wf_abc123'], secret);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP 200\n[\s\S]*x-request-id: r-1\n[\s\S]*\n\n\{"workflow"/);
    expect(seen.at(-1)!.path).toBe('/v1/workflows/wf_abc123');
  });

  it('a body from a file or stdin goes as JSON when it is JSON, else as a form; -H adds headers and overrides the type', async () => {
    writeFileSync(join(box.dir, 'claim.json'), '{"amount": 42}');
    const r = await api(['POST', `${resource.url}/v1/claims`, '--input', 'claim.json', '-H', 'X-Tenant: t-1']);
    expect(r.code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', contentType: 'application/json', body: '{"amount": 42}' });
    const piped = await api([`${resource.url}/v1/claims`, '-d', '@-'], '{"from":"stdin"}');
    expect(JSON.parse(piped.stdout)).toMatchObject({ method: 'POST', received: '{"from":"stdin"}' });
    expect((await api([`${resource.url}/v1/claims`, '-d', 'a=1&b=2'])).code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ contentType: 'application/x-www-form-urlencoded', body: 'a=1&b=2' });
    expect((await api([`${resource.url}/v1/claims`, '-d', 'x', '-H', 'Content-Type: text/plain'])).code).toBe(0);
    expect(seen.at(-1)!.contentType).toBe('text/plain');
    const twice = await api([`${resource.url}/v1/claims`, '-d', 'x', '--input', 'claim.json']);
    expect([twice.code, twice.stderr.split('\n')[0]]).toEqual([2, 'authctl: error[conflicting_options]: the body is given twice (-d and --input)']);
    const auth = await api([`${resource.url}/v1/claims`, '-H', 'Authorization: Bearer mine']);
    expect(auth.code).toBe(2);
  });

  it('-f and -F build a JSON body as gh api does (typed values, @file, name[] and name[sub]); with GET, the query', async () => {
    writeFileSync(join(box.dir, 'note.txt'), 'from a file\n');
    const r = await api([
      '-X',
      'PATCH',
      `${resource.url}/v1/claims/7`,
      '-f',
      'kind=repair',
      '-F',
      'amount=42',
      '-F',
      'urgent=true',
      '-F',
      'owner=null',
      '-f',
      'count=7',
      '-F',
      'note=@note.txt',
      '-f',
      'tags[]=a',
      '-f',
      'tags[]=b',
      '-F',
      'meta[level]=2',
    ]);
    expect(r.code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', contentType: 'application/json' });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({
      kind: 'repair',
      amount: 42,
      urgent: true,
      owner: null,
      count: '7',
      note: 'from a file\n',
      tags: ['a', 'b'],
      meta: { level: 2 },
    });
    expect((await api([`${resource.url}/v1/claims`, '-f', 'q=a b', '-F', 'n=1'])).code).toBe(0);
    expect(seen.at(-1)!.method).toBe('POST'); // fields mean a body, so POST
    expect((await api(['-X', 'GET', `${resource.url}/v1/claims?x=1`, '-f', 'q=a b', '-F', 'n=1'])).code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', path: '/v1/claims?x=1&q=a+b&n=1', body: '' });
    const bad = await api([`${resource.url}/v1/claims`, '-f', 'novalue']);
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([2, 'authctl: error[invalid_argument]: -f "novalue": expected key=value']);
  });

  it('--paginate follows rel="next" on the profile\'s origins and stops, refused, at another; --slurp makes one array; --jq filters', async () => {
    const before = evilSeen.length;
    const pages = await api([`${resource.url}/pages?page=1`, '--paginate']);
    expect([pages.code, pages.stdout, pages.stderr]).toEqual([0, '[{"page":1}][{"page":2}][{"page":3}]', '']);
    const leaky = await api([`${resource.url}/leaky?page=1`, '--paginate']);
    expect(leaky.stdout).toBe('[{"page":1}][{"page":2}]');
    expect(leaky.code).toBe(2);
    expect(leaky.stderr).toMatch(/^authctl: error\[untrusted_origin\]/);
    expect(evilSeen.length).toBe(before); // the token never went there
    const slurped = await api([`${resource.url}/pages?page=2`, '--paginate', '--slurp']);
    expect(slurped.code).toBe(0);
    expect(JSON.parse(slurped.stdout)).toEqual([[{ page: 2 }], [{ page: 3 }]]);
    const ids = await api([`${resource.url}/pages?page=1`, '--jq', '.[].page']);
    expect([ids.code, ids.stdout]).toEqual([0, '1\n']);
    const strings = await api([`${resource.url}/v1/workflows/1`, '--jq', '.workflow']);
    expect(strings.stdout).toBe('wf_abc123\n'); // strings raw, as gh prints them
    const notJson = await api([`${resource.url}/big`, '--jq', '.']);
    expect([notJson.code, JSON.parse(notJson.stdout).error.code]).toEqual([3, 'invalid_response']);
    expect((await api([`${resource.url}/v1/claims`, '--slurp'])).code).toBe(2);
  });

  it('a 401 on a cached (revoked) token: evicted, one fresh token, one retry, success', async () => {
    await api([`${resource.url}/v1/workflows/1`]); // the token is in the cache now
    const cachedToken = seen.at(-1)!.authorization!.slice(7);
    revoked.add(cachedToken);
    const requestsBefore = tokenRequests();
    const attempts = seen.length;
    const r = await api(['-v', `${resource.url}/v1/workflows/1`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/401 with the cached token: getting a fresh one and retrying once/);
    expect(seen.length - attempts).toBe(2);
    expect(seen.at(-1)!.authorization).not.toBe(`Bearer ${cachedToken}`);
    expect(tokenRequests() - requestsBefore).toBe(1);
  });

  it('a 401 for the fresh token too is exit 4 after exactly one retry, never a loop', async () => {
    const attempts = seen.length;
    const r = await api([`${resource.url}/always-401`]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^authctl: error\[unauthorized\]: GET http:\/\/127\.0\.0\.1:\d+\/always-401 answered HTTP 401 with a fresh token/m);
    expect(seen.length - attempts).toBe(2);
  });

  it('exit 1 for another 4xx, 3 for 5xx; the body is printed either way; a large body streams', async () => {
    const missing = await api([`${resource.url}/missing`]);
    expect([missing.code, JSON.parse(missing.stdout).error]).toEqual([1, 'no such workflow']);
    expect(missing.stderr).toMatch(/answered HTTP 404/);
    const boom = await api([`${resource.url}/boom`]);
    expect(boom.code).toBe(3);
    expect(boom.stderr).toMatch(/error\[server_error\]/);
    const big = await api([`${resource.url}/big`]);
    expect([big.code, big.stdout.length]).toEqual([0, 3 * 1024 * 1024]);
  });

  it('a 429 with Retry-After is waited out and retried once the way token calls are (--max-wait bounds it)', async () => {
    const attempts = seen.length;
    const r = await api([`${resource.url}/busy-once`]);
    expect([r.code, seen.length - attempts]).toEqual([0, 2]);
    expect(JSON.parse(r.stdout)).toMatchObject({ workflow: 'wf_abc123' });
  });

  it('usage: no URL, a bad method, a relative path without a base_url', async () => {
    expect((await api([])).stderr).toMatch(/error\[missing_argument\]: no URL given/);
    expect((await api(['GE T', `${resource.url}/x`])).stderr).toMatch(/error\[invalid_argument\]: "GE T" is not an HTTP method/);
    await box.run(['profile', 'add', 'nobase', '--token-url', `${fx.url}/gooclaim/v1/auth/token`]);
    const r = await box.run(['api', '--profile', 'nobase', '/x'], secret);
    expect(r.stderr).toMatch(/has no base_url/);
  });

  it('sends the token to no origin but the profile’s own, however the URL is spelled; http never replaces https', async () => {
    const evilHost = new URL(evil.url).host;
    // 'res' (added above) has its base_url on the resource server.
    await box.run(['profile', 'add', 'tls', '--base-url', `https://${evilHost}/v1`, '--token-url', `${fx.url}/gooclaim/v1/auth/token`]);
    const tokensBefore = tokenRequests();
    const cases: [string, string][] = [
      ['res', `${evil.url}/x`],
      ['res', `http://${new URL(resource.url).host}@${evilHost}/x`],
      ['res', `HTTP://${evilHost}/x`],
      ['res', `\\\\${evilHost}/x`],
      ['res', `//${evilHost}/x`],
      ['res', `/\\${evilHost}/x`],
      ['res', `${resource.url.replace('127.0.0.1', 'localhost')}/x`],
      ['nobase2', `${evil.url}/x`],
      ['tls', `http://${evilHost}/v1/x`],
      ['gooclaim', `${evil.url}/x`],
    ];
    await box.run(['profile', 'add', 'nobase2', '--token-url', `${fx.url}/gooclaim/v1/auth/token`]);
    for (const [profile, url] of cases) {
      const r = await box.run(['api', '--profile', profile, url], secret);
      expect([url, r.code]).toEqual([url, 2]);
      expect(r.stderr).toMatch(/^authctl: error\[untrusted_origin\]: /);
    }
    const downgrade = await box.run(['api', '--profile', 'tls', `http://${evilHost}/v1/x`], secret);
    expect(downgrade.stderr).toMatch(/never sends its token over http/);
    expect(evilSeen).toEqual([]);
    expect(tokenRequests()).toBe(tokensBefore);
    // The profile's own origin, and one allowed for the run, still work.
    expect((await box.run(['api', '--profile', 'res', '/workflows/1'], secret)).code).toBe(0);
    const allowed = await box.run(['api', '--profile', 'res', '--allow-origin', evil.url, `${evil.url}/ok`], secret);
    expect(allowed.code).toBe(0);
    expect(evilSeen).toEqual([expect.stringMatching(/^GET \/ok Bearer eyJ/)]);
  });
});
