import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { UsageError } from '../errors.js';
import { AuthorizationServer, ROUTES, type SigningKey } from '../core/server/authorization-server.js';
import { parseServerSettings, plainServerSettings, type ServerSettings } from '../core/server/settings.js';
import { generateKey, publicJwk } from '../core/keys/export.js';
import { defaultAlgorithm } from '../core/keys/algorithms.js';
import { maskToken } from '../core/redact.js';
import { said } from '../core/untrusted-text.js';
import { readTextFile } from './files.js';
import { loadKeyFile } from './key-file.js';
import type { IO } from './streams.js';

const MAX_BODY = 64 * 1024;

export interface ServeOptions {
  host: string;
  port: number;
  settingsFile?: string;
  /** Extra signing key files (`--key`), before those in the settings. */
  keyFiles?: string[];
  /** Algorithm of the key generated at start when no key file is given. */
  generatedAlg?: 'ES256' | 'RS256' | 'EdDSA';
  /** One line per request on this sink (tokens masked). */
  log?: (line: string) => void;
}

export interface RunningServer {
  issuer: string;
  endpoints: Record<string, string>;
  /** True when it runs on the built-in development client and user. */
  defaults: boolean;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

async function loadSettings(file: string | undefined): Promise<{ settings: ServerSettings; base: string }> {
  if (!file) return { settings: plainServerSettings(), base: process.cwd() };
  return { settings: parseServerSettings(await readTextFile(file, 'settings file'), file), base: dirname(resolve(file)) };
}

async function signingKeys(paths: string[], generatedAlg: NonNullable<ServeOptions['generatedAlg']>, io: IO): Promise<SigningKey[]> {
  const keys = [];
  for (const path of paths) {
    const key = await loadKeyFile(path, {}, io);
    if (key.kind !== 'private') throw new UsageError('invalid_key', `${path}: a signing key must be a private RSA, EC or Ed25519 key`);
    keys.push(key);
  }
  if (!keys.length) {
    keys.push(await generateKey(generatedAlg === 'RS256' ? { type: 'rsa' } : generatedAlg === 'EdDSA' ? { type: 'ed25519' } : { type: 'ec' }));
    // The Gooclaim variant's tokens are RS256, as its document says.
    if (generatedAlg !== 'RS256') keys.push(await generateKey({ type: 'rsa' }));
  }
  return Promise.all(
    keys.map(async (key) => {
      const jwk = await publicJwk(key);
      return { key: key.key, kid: jwk.kid!, alg: key.alg ?? defaultAlgorithm(key), publicJwk: jwk };
    }),
  );
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the development authorization server: settings and keys are read first (so a bad
 * file fails before anything listens), then node:http on host:port (0 = a free port).
 */
export async function startAuthServer(options: ServeOptions, io: IO): Promise<RunningServer> {
  const { settings, base } = await loadSettings(options.settingsFile);
  const defaults = !options.settingsFile;
  if (!isLoopback(options.host) && defaults) {
    throw new UsageError(
      'unsafe_bind',
      `refusing to serve the built-in development credentials on ${options.host}`,
      'write a --settings file with your own clients to listen beyond loopback',
    );
  }
  const fromSettings = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  const keys = await signingKeys([...(options.keyFiles ?? []), ...settings.keys.map(fromSettings)], options.generatedAlg ?? 'ES256', io);
  // Read on each use, so a partner's key uploaded (written) while the server runs counts at once.
  const clientKeys = async (clientId: string): Promise<JSONWebKeySet | undefined> => {
    const client = settings.clients.find((c) => c.client_id === clientId);
    if (!client?.public_keys.length) return undefined;
    const keys = await Promise.all(client.public_keys.map((path) => loadKeyFile(fromSettings(path), {}, io).then(publicJwk, () => undefined)));
    const found = keys.filter((k) => k !== undefined);
    return found.length ? { keys: found } : undefined;
  };

  let core: AuthorizationServer | undefined;
  const server: Server = createServer((req, res) => {
    const send = (status: number, headers: Record<string, string>, body?: unknown, html?: string) => {
      const text = html ?? (body === undefined ? '' : JSON.stringify(body));
      const type = html !== undefined ? { 'content-type': 'text/html; charset=utf-8' } : body === undefined ? {} : { 'content-type': 'application/json' };
      res.writeHead(status, { ...type, ...headers });
      res.end(text);
      options.log?.(
        `${said(String(req.method))} ${said(req.url?.split('?')[0] ?? '')} ${status}${req.headers.authorization ? ` (${req.headers.authorization.split(' ')[0]} ${maskToken(req.headers.authorization.split(' ')[1] ?? '')})` : ''}`,
      );
    };
    readBody(req)
      .then(async (body) => {
        if (body === undefined) return send(413, {}, { error: 'invalid_request', error_description: `the body is over ${MAX_BODY} bytes` });
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
        const url = new URL(req.url ?? '/', 'http://x');
        const reply = await core!.handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.search.slice(1),
          headers,
          body,
          client: req.socket.remoteAddress,
        });
        send(reply.status, reply.headers, reply.body, reply.html);
      })
      .catch(() => send(500, {}, { error: 'server_error', error_description: 'the development server failed on this request' }));
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          error.code === 'EADDRINUSE' ? 'address_in_use' : 'listen_failed',
          `cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`,
          error.code === 'EADDRINUSE' ? 'choose another --port, or --port 0 for a free one' : undefined,
        ),
      ),
    );
    server.listen(options.port, options.host, resolvePromise);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = settings.issuer ?? `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  core = new AuthorizationServer({
    issuer,
    settings,
    signingKeys: keys,
    clientKeys,
    now: () => Math.floor(Date.now() / 1000),
    newId: () => randomBytes(24).toString('base64url'),
  });
  // snake_case, as every JSON authctl prints (the route names are camelCase inside).
  const endpoints = Object.fromEntries(
    Object.entries(ROUTES).map(([name, path]) => [name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), `${issuer}${path}`]),
  );
  return {
    issuer,
    endpoints,
    defaults,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
