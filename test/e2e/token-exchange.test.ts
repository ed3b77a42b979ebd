import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';

/** RFC 8693 token exchange: authctl's client against serve's grant, end to end. */
let box: ReturnType<typeof sandbox>;
let server: Served;
const GATEWAY = { AUTHCTL_CLIENT_SECRET: 'gateway-secret-0123456789' };
const decoded = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

beforeAll(async () => {
  box = sandbox();
  writeFileSync(
    join(box.dir, 'serve.toml'),
    `audiences = ["authctl-dev-api", "orders-api"]
[[clients]]
client_id = "gateway"
client_secret = "gateway-secret-0123456789"
grants = ["client_credentials", "token_exchange"]
scopes = ["orders:read", "orders:write"]
[[clients]]
client_id = "user-app"
client_secret = "user-app-secret-0123456789"
grants = ["password"]
scopes = ["orders:read", "orders:write"]
[[users]]
username = "alice"
password = "alice-pw-0123456789"
`,
  );
  server = await serve(['--settings', 'serve.toml'], box.env, box.dir);
  for (const args of [
    ['profile', 'add', 'app', '--issuer', server.issuer, '--client-id', 'user-app', '--grant', 'password', '--username', 'alice'],
    ['profile', 'add', 'gw', '--issuer', server.issuer, '--client-id', 'gateway'],
  ])
    expect((await box.run(args)).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await server.stop();
  cleanupHomes();
});

const userToken = async () =>
  (
    await box.run(['token', 'get', '--profile', 'app', '--no-cache'], {
      AUTHCTL_CLIENT_SECRET: 'user-app-secret-0123456789',
      AUTHCTL_PASSWORD: 'alice-pw-0123456789',
    })
  ).stdout.trim();

describe('token exchange (RFC 8693)', () => {
  it("trades a user's token for one for another audience and a narrower scope; with an actor, delegation (act), nested on a second exchange", async () => {
    const user = await userToken();
    const service = (await box.run(['token', 'get', '--profile', 'gw', '--no-cache'], GATEWAY)).stdout.trim();
    const r = await box.run(
      [
        'token',
        'exchange',
        '--profile',
        'gw',
        '--audience',
        'orders-api',
        '--scope',
        'orders:read',
        '--actor-token',
        service,
        '--actor-token-type',
        'access_token',
        '--output',
        'json',
        user,
      ],
      GATEWAY,
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', scope: 'orders:read' });
    expect(decoded(doc.access_token)).toMatchObject({ sub: 'alice', aud: 'orders-api', scope: 'orders:read', act: { sub: 'gateway' } });
    // the exchanged token, exchanged again by the same actor: the earlier actor nests inside
    const again = (
      await box.run(['token', 'exchange', '--profile', 'gw', '--actor-token', service, '--actor-token-type', 'access_token', doc.access_token], GATEWAY)
    ).stdout.trim();
    expect(decoded(again).act).toEqual({ sub: 'gateway', act: { sub: 'gateway' } });
    expect((await box.run(['decode', again])).stdout).toMatch(/delegation \(act, RFC 8693\): alice ← gateway ← gateway \(the current actor first\)/);
    // never cached: the cache holds nothing for the exchange
    const cached = JSON.parse((await box.run(['--json', 'token', 'cache', 'list'])).stdout).entries as { profile: string }[];
    expect(cached.filter((e) => e.profile === 'gw')).toEqual([]);
  });

  it('refuses what the client may not ask for: an unknown audience, a wider scope, an unknown token, a client without the grant', async () => {
    const user = await userToken();
    const code = async (args: string[], env = GATEWAY) => {
      const r = await box.run(['--json', 'token', 'exchange', ...args], env);
      return [r.code, JSON.parse(r.stdout).error.code];
    };
    expect(await code(['--profile', 'gw', '--audience', 'somewhere-else', user])).toEqual([4, 'invalid_target']);
    expect(await code(['--profile', 'gw', '--scope', 'orders:admin', user])).toEqual([4, 'invalid_scope']);
    expect(await code(['--profile', 'gw', 'not-a-token-this-server-issued'])).toEqual([4, 'invalid_request']);
    expect(await code(['--profile', 'app', user], { AUTHCTL_CLIENT_SECRET: 'user-app-secret-0123456789' })).toEqual([4, 'unauthorized_client']);
    expect(await code(['--profile', 'gw', '--actor-token', user, user])).toEqual([2, 'missing_argument']);
  });
});
