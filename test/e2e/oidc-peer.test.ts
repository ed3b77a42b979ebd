import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, cleanupHomes, ROOT, runCli, sandbox } from '../helpers/cli.js';
// @ts-expect-error: a plain ES module shared with $BROWSER
import { signIn } from '../helpers/user-agent.mjs';
import { PEER, startPeer, type Peer } from '../helpers/oidc-peer.js';

let dir: string;
let env: Record<string, string>;
let peer: Peer;
const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });
const basicSecret = { AUTHCTL_CLIENT_SECRET: PEER.basic.clientSecret };

beforeAll(async () => {
  ({ dir, env } = sandbox());
  expect((await run(['keygen', '--type', 'ec', '--format', 'jwk', '--out', 'client'])).code).toBe(0);
  const clientJwk = JSON.parse(readFileSync(join(dir, 'client.jwks.json'), 'utf8')).keys[0];
  peer = await startPeer(clientJwk);
  const add = async (...args: string[]) => expect((await run(['profile', 'add', ...args])).code).toBe(0);
  await add('basic', '--provider', 'oauth2', '--issuer', peer.issuer, '--client-id', PEER.basic.clientId);
  await add('post', '--provider', 'oauth2', '--issuer', peer.issuer, '--client-id', PEER.post.clientId, '--client-auth', 'client_secret_post');
  await add(
    'pkjwt',
    '--provider',
    'oauth2',
    '--issuer',
    peer.issuer,
    '--client-id',
    PEER.pkjwt.clientId,
    '--client-auth',
    'private_key_jwt',
    '--private-key',
    'client.jwk.json',
  );
  await add(
    'ropc',
    '--provider',
    'oauth2',
    '--issuer',
    peer.issuer,
    '--client-id',
    PEER.basic.clientId,
    '--grant',
    'password',
    '--username',
    PEER.user.username,
  );
}, 60_000);
afterAll(async () => {
  await peer.close();
  cleanupHomes();
});

describe('against oidc-provider (the certified standards peer)', () => {
  it('client_credentials with client_secret_basic, introspection, revocation', async () => {
    const token = (await run(['token', 'get', '--profile', 'basic', '--no-cache'], basicSecret)).stdout.trim();
    expect(token.length).toBeGreaterThan(20);
    const active = await run(['introspect', '--profile', 'basic', '--json', token], basicSecret);
    expect(active.stderr).toBe('');
    expect(JSON.parse(active.stdout)).toMatchObject({ active: true, client_id: PEER.basic.clientId });
    // --token-type-hint, as introspect spells it (--hint, the old spelling, still works)
    expect((await run(['token', 'revoke', '--profile', 'basic', '--token-type-hint', 'access_token', token], basicSecret)).code).toBe(0);
    const inactive = await run(['introspect', '--profile', 'basic', token], basicSecret);
    expect(inactive.code).toBe(1);
    const second = (await run(['token', 'get', '--profile', 'basic', '--no-cache'], basicSecret)).stdout.trim();
    expect((await run(['token', 'revoke', '--profile', 'basic', '--hint', 'access_token', second], basicSecret)).code).toBe(0);
    expect((await run(['introspect', '--profile', 'basic', second], basicSecret)).code).toBe(1);
  });

  it('an opaque token that begins with "-" is a token, not an option, for introspect and revoke (and quoted, and with Bearer)', async () => {
    // oidc-provider's own opaque tokens are base64url: one in 64 begins with "-"; pin one that does.
    const token = await peer.issueOpaque(`-${randomBytes(32).toString('base64url')}`);
    expect(token.startsWith('-')).toBe(true);
    const active = await run(['introspect', '--profile', 'basic', '--json', token], basicSecret);
    expect(active.stderr).toBe('');
    expect(JSON.parse(active.stdout)).toMatchObject({ active: true, client_id: PEER.basic.clientId });
    expect((await run(['introspect', '--profile', 'basic', `"Bearer ${token}"`], basicSecret)).code).toBe(0);
    expect((await run(['--json', 'introspect', `'${token}'`, '--profile', 'basic'], basicSecret)).code).toBe(0);
    const revoked = await run(['token', 'revoke', token, '--profile', 'basic'], basicSecret);
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    expect((await run(['introspect', '--profile', 'basic', token], basicSecret)).code).toBe(1);
    // a mistyped flag is still an unknown option
    expect((await run(['introspect', '--profile', 'basic', '--jsn', token], basicSecret)).stderr).toMatch(/error\[unknown_option\]: unknown option '--jsn'/);
  });

  it('client_secret_post', async () => {
    const r = await run(['token', 'get', '--profile', 'post', '--no-cache', '--output', 'json'], { AUTHCTL_CLIENT_SECRET: PEER.post.clientSecret });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).expires_in).toBe(600);
  });

  it('a JWT access token for a resource indicator verifies through discovery as RFC 9068 at+jwt', async () => {
    const r = await run(['token', 'get', '--profile', 'basic', '--no-cache', '--resource', PEER.resource, '--scope', 'api:read'], basicSecret);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    const v = await run([
      'verify',
      '--issuer',
      peer.issuer,
      '--aud',
      PEER.resource,
      '--typ',
      'at+jwt',
      '--alg',
      'RS256',
      '--require-scope',
      'api:read',
      '--json',
      token,
    ]);
    expect(v.stderr).toBe('');
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, header: { typ: 'at+jwt' }, payload: { client_id: PEER.basic.clientId, aud: PEER.resource } });
    const wrongAud = await run(['verify', '--issuer', peer.issuer, '--aud', 'https://other.test', '--alg', 'RS256', token]);
    expect(wrongAud.code).toBe(1);
    expect(wrongAud.stdout).toMatch(/invalid_audience/);
  });

  it('private_key_jwt: an assertion signed with the client key (iss = sub = client id, aud = token URL)', async () => {
    const r = await run(['token', 'get', '--profile', 'pkjwt', '--no-cache', '--output', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).access_token).toBeTypeOf('string');
  });

  it('password grant (registered with registerGrantType), then refresh_token', async () => {
    const first = await run(['token', 'get', '--profile', 'ropc', '--store', 'file', '--output', 'json', '--show-refresh-token'], {
      ...basicSecret,
      AUTHCTL_PASSWORD: PEER.user.password,
    });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).refresh_token).toBeTypeOf('string');
    const refreshed = await run(['token', 'refresh', '--profile', 'ropc', '--store', 'file', '--output', 'json'], basicSecret);
    expect(refreshed.code).toBe(0);
    const doc = JSON.parse(refreshed.stdout);
    expect(doc.source).toBe('refresh');
    expect(doc.access_token).not.toBe(JSON.parse(first.stdout).access_token);
  });

  it("the peer's OAuth errors keep their codes: invalid_client (exit 4)", async () => {
    const r = await run(['token', 'get', '--profile', 'basic', '--no-cache'], { AUTHCTL_CLIENT_SECRET: 'not-the-secret' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^authctl: error\[invalid_client\]: the token endpoint \(\/token\) answered HTTP 401: invalid_client/);
    // The hint names where the refused secret came from.
    expect(r.stderr).toMatch(/\nhint: check the client id and secret .*; the one sent came from AUTHCTL_CLIENT_SECRET\n$/);
    // A client_credentials profile has no refresh token to refresh with, and is told the call that helps.
    const refresh = await run(['token', 'refresh', '--profile', 'basic'], basicSecret);
    expect([refresh.code, refresh.stderr]).toEqual([
      4,
      'authctl: error[credential_missing]: profile "basic" uses the client_credentials grant, which gives no refresh tokens\nhint: a new token is one call away: authctl token get --profile basic\n',
    ]);
  });
});

describe('a person signs in at oidc-provider (its own login and consent pages, filled in by a scripted user agent)', () => {
  const UA = `${process.execPath} ${join(ROOT, 'test', 'helpers', 'user-agent.mjs')}`;
  const person = { UA_USERNAME: 'bob', UA_PASSWORD: 'any' };

  function live(
    args: string[],
    extra: Record<string, string>,
    onLine: (line: string) => void = () => {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        for (const line of d.toString().split('\n')) onLine(line);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('authorization code + PKCE as a native public client, with a loopback redirect on a free port; the ID token checks out', async () => {
    expect(
      (
        await run([
          'profile',
          'add',
          'native',
          '--provider',
          'oauth2',
          '--issuer',
          peer.issuer,
          '--client-id',
          PEER.native.clientId,
          '--client-auth',
          'none',
          '--grant',
          'authorization_code',
          '--scope',
          'openid',
        ])
      ).code,
    ).toBe(0);
    const r = await live(['token', 'get', '--profile', 'native', '--output', 'json', '--no-cache'], { ...person, BROWSER: UA });
    expect(r.stderr).toMatch(/in your browser/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.access_token).toBeTypeOf('string');
    expect(JSON.parse(Buffer.from(doc.id_token.split('.')[1], 'base64url').toString())).toMatchObject({
      sub: 'bob',
      aud: PEER.native.clientId,
      iss: peer.issuer,
    });
    const introspected = await run(['introspect', '--profile', 'basic', '--json', doc.access_token], basicSecret);
    expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, client_id: PEER.native.clientId, sub: 'bob' });
    // --par: the request goes to the peer's pushed authorization request endpoint first (RFC 9126)
    const pushed = await live(['-v', 'token', 'get', '--profile', 'native', '--par', '--output', 'json', '--no-cache', '--force'], { ...person, BROWSER: UA });
    expect(pushed.code).toBe(0);
    expect(pushed.stderr).toMatch(/POST \S*\/request\b/); // the peer's PAR endpoint
    expect(JSON.parse(Buffer.from(JSON.parse(pushed.stdout).id_token.split('.')[1], 'base64url').toString())).toMatchObject({ sub: 'bob', iss: peer.issuer });
  });

  it('DPoP: a DPoP profile signs in (the code bound with dpop_jkt), gets a DPoP-bound token after the nonce, and calls /me twice with fresh proofs', async () => {
    expect((await run(['keygen', '--type', 'ec', '--out', 'peer-dpop'])).code).toBe(0);
    const dpopKey = { AUTHCTL_DPOP_KEY: readFileSync(join(dir, 'peer-dpop.pem'), 'utf8') };
    const jkt = (await run(['key', 'thumbprint', 'peer-dpop.pem'])).stdout.trim();
    const profile = ['--issuer', peer.issuer, '--base-url', peer.issuer, '--client-id', PEER.native.clientId, '--client-auth', 'none'];
    expect((await run(['profile', 'add', 'native-dpop', ...profile, '--grant', 'authorization_code', '--scope', 'openid', '--dpop'])).code).toBe(0);
    const r = await live(['-v', 'token', 'get', '--profile', 'native-dpop', '--output', 'json'], { ...person, ...dpopKey, BROWSER: UA });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/asks for a DPoP nonce: sending once more with it/);
    const doc = JSON.parse(r.stdout);
    expect(doc.token_type).toBe('DPoP');
    const introspected = await run(['introspect', '--profile', 'basic', '--json', doc.access_token], basicSecret);
    expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, sub: 'bob', cnf: { jkt } });
    // the peer's userinfo endpoint checks each proof (signature, htm/htu, ath, jti replay, nonce)
    for (let i = 0; i < 2; i++) {
      const me = await run(['--profile', 'native-dpop', 'api', '/me'], dpopKey);
      expect(me.stderr).toBe('');
      expect(JSON.parse(me.stdout)).toMatchObject({ sub: 'bob' });
    }
    // the token sent as Bearer: the peer refuses it
    const stolen = await fetch(`${peer.issuer}/me`, { headers: { authorization: `Bearer ${doc.access_token}` } });
    expect(stolen.status).toBe(401);
  });

  it('DPoP with client_credentials: the peer binds the token to the profile key (cnf.jkt)', async () => {
    expect((await run(['keygen', '--type', 'ed25519', '--out', 'peer-dpop-ed'])).code).toBe(0);
    const dpopKey = { AUTHCTL_DPOP_KEY: readFileSync(join(dir, 'peer-dpop-ed.pem'), 'utf8') };
    const jkt = (await run(['key', 'thumbprint', 'peer-dpop-ed.pem'])).stdout.trim();
    const got = await run(['token', 'get', '--profile', 'basic', '--dpop', '--output', 'json', '--no-cache'], { ...basicSecret, ...dpopKey });
    expect(got.stderr).toBe('');
    expect(JSON.parse(got.stdout).token_type).toBe('DPoP');
    const introspected = await run(['introspect', '--profile', 'basic', '--json', JSON.parse(got.stdout).access_token], basicSecret);
    expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, cnf: { jkt } });
  });

  it('the device flow: the code on stderr, the person approves on the verification page, the token on stdout', async () => {
    expect(
      (
        await run([
          'profile',
          'add',
          'device',
          '--provider',
          'oauth2',
          '--issuer',
          peer.issuer,
          '--client-id',
          PEER.native.clientId,
          '--client-auth',
          'none',
          '--grant',
          'device_code',
          '--scope',
          'openid',
        ])
      ).code,
    ).toBe(0);
    let approved: Promise<unknown> | undefined;
    const r = await live(['token', 'get', '--profile', 'device', '--no-cache'], {}, (line) => {
      const complete = /\(or open (\S+)\)/.exec(line)?.[1];
      if (complete && !approved) approved = signIn(complete, { username: 'bob', password: 'any' });
    });
    await approved;
    expect(r.stderr).toMatch(/to sign in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(20);
  });
});
