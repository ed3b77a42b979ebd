import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDeps, newRunState } from '../../src/deps.js';
import type { IO } from '../../src/io/streams.js';
import { buildProgram, protectDashTokens, type StandIns } from '../../src/program.js';

/**
 * argv → options, in process: each command is built with a stand-in for its run function (the
 * seam every builder has), so what the parser hands a run function is checked without running it.
 */
interface Call {
  run: string;
  options: Record<string, unknown>;
  globals?: Record<string, unknown>;
}

function memoryIO(): IO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  return {
    stdin,
    stdout: { write: (chunk) => out.push(String(chunk)) > 0, once: () => undefined },
    stderr: { write: (chunk) => err.push(String(chunk)) > 0, once: () => undefined },
    env: {},
    cwd: '/nonexistent',
    out,
    err,
  };
}

/** A stand-in for every run function a command has: each records its call. */
function recorder(names: string[], calls: Call[]) {
  return Object.fromEntries(
    names.map((run) => [
      run,
      async (...args: unknown[]) => {
        const options = (run === 'runDemo' ? {} : args[0]) as Record<string, unknown>;
        calls.push({ run, options, globals: args[2] as Record<string, unknown> | undefined });
        return { json: { ok: true }, text: () => 'ok' };
      },
    ]),
  );
}

const RUNS: Record<keyof StandIns, string[]> = {
  keygen: ['runKeygen'],
  key: ['runKeyPub', 'runKeyThumbprint', 'runKeyConvert'],
  token: ['runEncrypt', 'runMint', 'runTokenGet', 'runTokenExchange', 'runTokenRevoke', 'runCacheList', 'runCacheClear'],
  decode: ['runDecode'],
  lint: ['runLint'],
  verify: ['runVerify', 'runRemoteVerify'],
  introspect: ['runIntrospect'],
  ping: ['runPing'],
  api: ['runApi'],
  credentials: ['runCredentialsSet', 'runCredentialsGet', 'runCredentialsDelete', 'runCredentialsList'],
  profile: ['runProfileAdd', 'runProfileList', 'runProfileShow', 'runProfileRemove', 'runProfileUse'],
  scan: ['runScan'],
  check: ['runCheck'],
  serve: ['runServe'],
  demo: ['runDemo'],
  version: [],
};

async function parse(...args: string[]): Promise<Call> {
  const calls: Call[] = [];
  const standIns = Object.fromEntries(Object.entries(RUNS).map(([command, names]) => [command, recorder(names, calls)])) as StandIns;
  const io = memoryIO();
  const deps = createDeps(io, newRunState());
  const argv = ['node', 'authctl', ...args];
  const program = buildProgram(deps, argv, standIns);
  await program.parseAsync(protectDashTokens(program as never, argv));
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

async function refused(...args: string[]): Promise<string> {
  const error = await parse(...args).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as { code: string }).code;
}

describe('argv → options, every command', () => {
  it('keygen', async () => {
    const call = await parse('keygen', '--type', 'ec', '--curve', 'P-384', '--format', 'jwk', '--kid', 'k1', '--use', 'enc', '--out', 'k');
    expect(call.run).toBe('runKeygen');
    expect(call.options).toMatchObject({ type: 'ec', curve: 'P-384', format: 'jwk', kid: 'k1', use: 'enc', out: 'k' });
    expect(call.options.size).toBeUndefined();
    expect(await refused('keygen', '--type', 'dsa')).toBe('commander.invalidArgument');
  });

  it('key pub, thumbprint, convert (--format, and its hidden synonym --to)', async () => {
    expect(await parse('key', 'pub', 'k.pem')).toMatchObject({ run: 'runKeyPub', options: { file: 'k.pem' } });
    expect(await parse('key', 'thumbprint', '-')).toMatchObject({ run: 'runKeyThumbprint', options: { file: '-' } });
    expect((await parse('key', 'convert', '--format', 'jwks', 'k.pem')).options).toMatchObject({ to: 'jwks', file: 'k.pem' });
    expect((await parse('key', 'convert', '--to', 'pem', 'k.json')).options).toMatchObject({ to: 'pem', file: 'k.json' });
  });

  it('token mint, encrypt', async () => {
    const mint = await parse('token', 'mint', '--key', 'k.pem', '--sub', 'u1', '--aud', 'a', '--aud', 'b', '--exp', '15m');
    expect(mint.run).toBe('runMint');
    expect(mint.options).toMatchObject({ key: 'k.pem', sub: 'u1', exp: '15m' });
    const encrypt = await parse('token', 'encrypt', '--key', 'r.pem', '--alg', 'ECDH-ES+A256KW', '--enc', 'A256GCM', '{"a":1}');
    expect(encrypt).toMatchObject({ run: 'runEncrypt', options: { key: 'r.pem', alg: 'ECDH-ES+A256KW', enc: 'A256GCM', input: '{"a":1}' } });
  });

  it('token get: --no-cache and --no-browser become what the run function reads; refresh is token get with refresh', async () => {
    const get = await parse(
      'token',
      'get',
      '--grant',
      'client_credentials',
      '--scope',
      'a b',
      '--resource',
      'https://api.example/',
      '--no-cache',
      '--no-browser',
      '--sign-in-timeout',
      '2m',
    );
    expect(get.run).toBe('runTokenGet');
    expect(get.options).toMatchObject({
      grant: 'client_credentials',
      scope: 'a b',
      resource: ['https://api.example/'],
      noCache: true,
      noBrowser: true,
      signInWait: 120,
    });
    const plain = await parse('token', 'get');
    expect(plain.options).toMatchObject({ noCache: false, noBrowser: false });
    expect((await parse('token', 'refresh')).options).toMatchObject({ refresh: true });
    expect(await refused('token', 'get', '--resource', 'not a uri')).toBe('commander.invalidArgument');
  });

  it('token exchange, revoke (--token-type-hint, and its hidden synonym --hint), cache', async () => {
    const exchange = await parse('token', 'exchange', '--audience', 'svc-b', '--requested-token-type', 'urn:ietf:params:oauth:token-type:jwt', 'subj');
    expect(exchange).toMatchObject({ run: 'runTokenExchange', options: { audience: 'svc-b', subjectToken: 'subj' } });
    expect((await parse('token', 'revoke', '--token-type-hint', 'refresh_token', 'tok')).options).toMatchObject({ hint: 'refresh_token', token: 'tok' });
    expect((await parse('token', 'revoke', '--hint', 'access_token', 'tok')).options).toMatchObject({ hint: 'access_token' });
    expect((await parse('token', 'cache', 'list')).run).toBe('runCacheList');
    expect((await parse('token', 'cache', 'clear')).run).toBe('runCacheClear');
  });

  it('decode and lint take a token that begins with "-" as the token', async () => {
    const token = '-abcdefghijklmnop.qrstuvwxyz.0123456789';
    expect(await parse('decode', token)).toMatchObject({ run: 'runDecode', options: { token } });
    const lint = await parse('lint', '--policy', 'justgold', '--aud', 'a,b', '--leeway', '90s', token);
    expect(lint).toMatchObject({ run: 'runLint', options: { policy: 'justgold', aud: ['a', 'b'], leeway: 90, token } });
  });

  it('verify, local and --remote, with the global options', async () => {
    const verify = await parse('--json', '--profile', 'p1', 'verify', '--key', 'pub.pem', '--alg', 'RS256', '--iss', 'https://i', 'tok');
    expect(verify).toMatchObject({ run: 'runVerify', options: { key: 'pub.pem', alg: ['RS256'], iss: ['https://i'], token: 'tok' } });
    expect(verify.globals).toMatchObject({ json: true, profile: 'p1' });
    expect((await parse('verify', '--remote', 'tok')).run).toBe('runRemoteVerify');
  });

  it('introspect, ping, api', async () => {
    expect((await parse('introspect', '--token-type-hint', 'access_token', 'tok')).options).toMatchObject({ tokenTypeHint: 'access_token', token: 'tok' });
    expect((await parse('ping')).run).toBe('runPing');
    const api = await parse(
      'api',
      '-X',
      'POST',
      '/v1/items',
      '-f',
      'name=a',
      '-F',
      'n=2',
      '-H',
      'Accept: text/plain',
      '--paginate',
      '--allow-origin',
      'https://x.example',
    );
    expect(api.run).toBe('runApi');
    expect(api.options).toMatchObject({
      forceMethod: 'POST',
      method: '/v1/items',
      rawField: ['name=a'],
      field: ['n=2'],
      header: ['Accept: text/plain'],
      paginate: true,
    });
  });

  it('credentials set/get/delete/list', async () => {
    expect(await parse('credentials', 'set', 'client_secret', '--stdin')).toMatchObject({
      run: 'runCredentialsSet',
      options: { kind: 'client_secret', stdin: true },
    });
    expect((await parse('credentials', 'get', 'api_key')).options).toMatchObject({ kind: 'api_key' });
    expect((await parse('credentials', 'delete', 'password')).run).toBe('runCredentialsDelete');
    expect((await parse('credentials', 'list')).run).toBe('runCredentialsList');
  });

  it('profile add reads its field flags by name; list, show, remove, use', async () => {
    const add = await parse(
      'profile',
      'add',
      'kc',
      '--provider',
      'keycloak',
      '--issuer',
      'https://sso.example/realms/a',
      '--client-id',
      'cli',
      '--expect-aud',
      'x',
    );
    expect(add.run).toBe('runProfileAdd');
    expect(add.options).toMatchObject({
      name: 'kc',
      provider: 'keycloak',
      fields: { issuer: 'https://sso.example/realms/a', client_id: 'cli' },
      expectAud: ['x'],
    });
    expect((await parse('profile', 'list', '--names')).options).toMatchObject({ names: true });
    expect((await parse('profile', 'show', 'kc')).options).toEqual({ name: 'kc' });
    expect((await parse('profile', 'remove', 'kc')).run).toBe('runProfileRemove');
    expect((await parse('profile', 'use', 'kc')).run).toBe('runProfileUse');
  });

  it('scan, check (several --profile), serve, demo', async () => {
    const scan = await parse('scan', '--history', 'origin/main..HEAD', '--format', 'sarif', '--fail-on', 'high', 'src', 'lib');
    expect(scan.options).toMatchObject({ history: 'origin/main..HEAD', format: 'sarif', failOn: 'high', paths: ['src', 'lib'] });
    expect((await parse('scan', '--history')).options).toMatchObject({ history: true, paths: [] });
    const check = await parse('--profile', 'a', '--profile', 'b', 'check', '--min-ttl', '10m', '--strict');
    expect(check.options).toMatchObject({ minTtl: 600, strict: true });
    expect(check.globals).toMatchObject({ profiles: ['a', 'b'] });
    expect((await parse('serve', '--port', '8400', '--host', '127.0.0.1')).options).toMatchObject({ port: 8400, host: '127.0.0.1' });
    expect(await refused('serve', '--port', '70000')).toBe('commander.invalidArgument');
    expect((await parse('demo')).run).toBe('runDemo');
  });
});
