import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { cleanupHomes, runCli, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';

let dir: string;
let env: Record<string, string>;
const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

beforeAll(() => {
  ({ dir, env } = sandbox());
});
afterAll(cleanupHomes);

describe('RFC 7523 JWT bearer grant against authctl serve', () => {
  let served: Served;
  beforeAll(async () => {
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'grant.pem');
    openssl('pkey', '-in', 'grant.pem', '-pubout', '-out', 'grant.pub.pem');
    writeFileSync(
      join(dir, 'serve.toml'),
      '[[clients]]\nclient_id = "batch"\nauth = ["private_key_jwt"]\ngrants = ["jwt_bearer"]\npublic_keys = ["grant.pub.pem"]\n',
    );
    served = await serve(['--settings', 'serve.toml'], env, dir);
    const add = await run([
      'profile',
      'add',
      'batch',
      '--issuer',
      served.issuer,
      '--client-id',
      'batch',
      '--client-auth',
      'private_key_jwt',
      '--grant',
      'jwt_bearer',
      '--private-key',
      'grant.pem',
      '--username',
      'user-7',
    ]);
    expect(add.code).toBe(0);
  }, 30_000);
  afterAll(async () => {
    expect(await served.stop()).toBe(0);
  });

  it('signs the grant with the profile key: iss the client, sub the profile username', async () => {
    const r = await run(['token', 'get', '--profile', 'batch', '--no-cache']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(payloadOf(r.stdout.trim())).toMatchObject({ sub: 'user-7', client_id: 'batch', iss: served.issuer });
  });

  it('--assertion-file takes an assertion made elsewhere (here by jose); a replayed one is invalid_grant', async () => {
    const key = await importPKCS8(readFileSync(join(dir, 'grant.pem'), 'utf8'), 'ES256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('batch')
      .setSubject('user-from-idp')
      .setAudience(`${served.issuer}/token`)
      .setIssuedAt()
      .setExpirationTime('2m')
      .setJti('idp-1')
      .sign(key);
    writeFileSync(join(dir, 'assertion.jwt'), `${assertion}\n`);
    const first = await run(['token', 'get', '--profile', 'batch', '--no-cache', '--assertion-file', 'assertion.jwt']);
    expect(first.code).toBe(0);
    expect(payloadOf(first.stdout.trim()).sub).toBe('user-from-idp');
    const again = await run(['token', 'get', '--profile', 'batch', '--no-cache', '--assertion-file', 'assertion.jwt']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/^authctl: error\[invalid_grant\]: .*replayed jti/m);
    expect(again.stderr).not.toContain(assertion);
  });
});

describe('mutual TLS (RFC 8705 tls_client_auth) against an HTTPS token endpoint that demands a client certificate', () => {
  let server: Server;
  let url: string;
  const seen: { cn?: string; body: string }[] = [];

  beforeAll(async () => {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=authctl test CA', '-days', '1');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, cn, ext] of [
      ['server', '127.0.0.1', ['-extfile', 'server.ext']],
      ['client', 'mtls-client', []],
    ] as const) {
      openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...ext);
    }
    const file = (name: string) => readFileSync(join(dir, name));
    server = createServer(
      { key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem'), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
          seen.push({ cn: typeof cn === 'string' ? cn : undefined, body });
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ access_token: `opaque-for-${String(cn)}`, token_type: 'Bearer', expires_in: 300 }));
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const add = await run([
      'profile',
      'add',
      'mtls',
      '--token-url',
      `${url}/token`,
      '--client-id',
      'mtls-client',
      '--client-auth',
      'tls_client_auth',
      '--tls-client-cert',
      'client.pem',
      '--tls-client-key',
      'client.key',
    ]);
    expect(add.code).toBe(0);
  }, 30_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('presents the client certificate and names the client in the body, with no secret', async () => {
    const r = await run(['token', 'get', '--profile', 'mtls', '--no-cache', '--cacert', 'ca.pem']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('opaque-for-mtls-client\n');
    expect(seen.at(-1)).toEqual({ cn: 'mtls-client', body: 'grant_type=client_credentials&client_id=mtls-client' });
  });

  it('authctl check presents the certificate too, and says it expires within 30 days (the test CA issues for 1 day)', async () => {
    const r = await run(['check', 'mtls', '--cacert', 'ca.pem', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).checks as { check: string; status: string; code?: string; message: string }[];
    expect(rows.find((c) => c.check === 'certificate')).toMatchObject({
      status: 'warn',
      code: 'certificate_expires_soon',
      message: expect.stringMatching(/^\/.*\/client\.pem \(CN=mtls-client\) expires in (23|24) h: renew it$/),
    });
    expect(rows.find((c) => c.check === 'token')).toMatchObject({ status: 'pass' });
    expect((await run(['check', 'mtls', '--cacert', 'ca.pem', '--strict'])).code).toBe(1);
  });

  it('fails closed: an untrusted server certificate, a missing client certificate, half a pair', async () => {
    const untrusted = await run(['token', 'get', '--profile', 'mtls', '--no-cache']);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/^authctl: error\[tls_error\]: TLS with https:\/\/127\.0\.0\.1:\d+ failed/m);

    const count = seen.length;
    const anonymous = await run(['profile', 'add', 'anon', '--token-url', `${url}/token`, '--client-id', 'mtls-client', '--client-auth', 'tls_client_auth']);
    expect(anonymous.code).toBe(0);
    const refused = await run(['token', 'get', '--profile', 'anon', '--no-cache', '--cacert', 'ca.pem']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^authctl: error\[(tls_error|network_unreachable)\]: /m);
    expect(seen.length).toBe(count); // the server never handled a request without a certificate

    const half = await run(['token', 'get', '--profile', 'anon', '--no-cache', '--cacert', 'ca.pem', '--client-cert', 'client.pem']);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/^authctl: error\[conflicting_options\]: mutual TLS needs both a client certificate and its key/m);
  });
});
