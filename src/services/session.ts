import type { ServerMetadata } from '../core/oauth/discovery.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../core/config-values.js';
import { randomUUID } from 'node:crypto';
import type { Deps, GlobalOptions } from '../deps.js';
import { NetworkError, UsageError } from '../errors.js';
import type { Profile } from '../core/config.js';
import { clientAssertionClaims, type ClientCredentials, type OutgoingRequest } from '../core/oauth/token.js';
import { DEFAULT_RETRY, nextDelay, type RetryPolicy } from '../core/oauth/retry.js';
import { signJwt } from '../core/jwt/mint.js';
import { assertAlgorithmFits, defaultAlgorithm } from '../core/keys/algorithms.js';
import { selectProfile } from '../io/config-store.js';
import { isJsonObject, parseJson } from '../core/json.js';
import { readTextFile } from '../io/files.js';
import type { HttpClient, HttpRequest, HttpResponse, StreamingResponse } from '../io/http.js';
import { loadKeyFile } from '../io/key-file.js';
import type { KeyStore } from '../io/keychain.js';
import { requireSecret, requireSecretFrom, storeAccess, type StoreAccess } from './secrets.js';
import { secretKey } from './signing-key.js';
import { cacheEndpoint } from '../io/token-cache.js';

/** Flags shared by every command that calls a provider endpoint. */
export interface EndpointFlags {
  issuer?: string;
  timeout?: number;
  maxWait?: number;
  cacert?: string;
  clientCert?: string;
  clientKey?: string;
  clientSecretFile?: string;
  clientSecretStdin?: boolean;
  passwordFile?: string;
  passwordStdin?: boolean;
  store?: 'keychain' | 'file';
}

export interface Session {
  name: string;
  profile: Profile;
  /** What keys the token cache: the endpoint as configured, before discovery (tokens.ts cacheEndpoint). */
  cacheEndpoint?: string;
  http: HttpClient;
  /** Sends with the bounded retry policy (429/503 Retry-After, connection back-off). */
  send(request: OutgoingRequest): Promise<HttpResponse>;
  /** The same, for a response whose body is streamed (`authctl api`). */
  open(request: HttpRequest): Promise<StreamingResponse>;
  clientCredentials(): Promise<ClientCredentials>;
  /** An RFC 7523 §2.1 authorization grant, signed with the profile's key: sub is the profile's username, else the client. */
  grantAssertion(): Promise<string>;
  password(): Promise<string>;
  /** The credential store, or undefined (with the reason) when none is reachable. */
  store(): Promise<KeyStore | undefined>;
  /** `--store`, when given. */
  storeChoice?: 'keychain' | 'file';
  /** The profile's credential store, for the secret resolver (services/secrets.ts). */
  access: StoreAccess;
  close(): Promise<void>;
}

/** What a request carries, for the redaction set. */
type SentRequest = { headers?: Record<string, string>; body?: string };

/** Request fields that carry a token or a secret: whatever a server echoes of them is redacted. */
const SECRET_FIELDS = new Set([
  'token',
  'assertion',
  'client_assertion',
  'client_secret',
  'password',
  'refresh_token',
  'subject_token',
  'actor_token',
  'code',
  'code_verifier',
  'device_code',
]);

/**
 * Every token and secret a request carries: the credentials of its Authorization header (a Basic
 * pair, a bearer token) and the secret fields of a form or JSON body (API keys and client secrets
 * join the set when the resolver reads them).
 */
function sentSecrets(request: SentRequest): string[] {
  const out: string[] = [];
  const headers = request.headers ?? {};
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'authorization') out.push(value.replace(/^\S+\s+/, ''));
  if (!request.body) return out;
  const type = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (type.includes('json')) {
    try {
      const body = parseJson(request.body);
      if (isJsonObject(body)) for (const [key, value] of Object.entries(body)) if (SECRET_FIELDS.has(key) && typeof value === 'string') out.push(value);
    } catch {}
  } else {
    for (const [key, value] of new URLSearchParams(request.body)) if (SECRET_FIELDS.has(key)) out.push(value);
  }
  return out.filter((secret) => secret.length > 0);
}

function retryable(error: unknown): boolean {
  return error instanceof NetworkError && (error.code === 'network_unreachable' || error.code === 'network_error');
}

/**
 * Everything an endpoint command needs, resolved once: the profile (with discovery filling
 * missing endpoints), an HTTP client, and lazy access to the client's secrets through the
 * CLI.md chain: flag source > environment > keychain > hidden prompt on a terminal.
 */
export async function openSession(flags: EndpointFlags, deps: Deps, globals: GlobalOptions): Promise<Session> {
  const selected = selectProfile(await deps.config(globals), globals.profile, true);
  if (!selected) throw new UsageError('profile_not_found', 'no profile selected, and no default profile');
  const ca = flags.cacert ? await readTextFile(flags.cacert, 'CA file') : undefined;
  const certFile = flags.clientCert ?? selected.profile.tls_client_cert;
  const keyFile = flags.clientKey ?? selected.profile.tls_client_key;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new UsageError(
      'conflicting_options',
      'mutual TLS needs both a client certificate and its key',
      'give --client-cert and --client-key (or tls_client_cert and tls_client_key in the profile)',
    );
  const clientCert =
    certFile && keyFile ? { cert: await readTextFile(certFile, 'client certificate'), key: await readTextFile(keyFile, 'client key') } : undefined;
  const http = await deps.http({ timeoutMs: (flags.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000, ca, clientCert, verbose: globals.verbose });
  const profile: Profile = { ...selected.profile };
  const issuer = flags.issuer ?? profile.issuer;
  if (issuer && (flags.issuer || !profile.token_url)) {
    const { discover } = await import('../io/jwks.js');
    const metadata = await discover(issuer, http);
    profile.token_url ??= metadata.token_endpoint;
    profile.introspection_url ??= metadata.introspection_endpoint;
    profile.revocation_url ??= metadata.revocation_endpoint;
    profile.authorization_url ??= metadata.authorization_endpoint;
    profile.device_authorization_url ??= metadata.device_authorization_endpoint;
    profile.jwks_uri ??= metadata.jwks_uri;
    fillPar(profile, metadata);
    profile.issuer = issuer;
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY, maxWaitMs: (flags.maxWait ?? DEFAULT_RETRY.maxWaitMs / 1000) * 1000 };

  const access = storeAccess(selected.name, deps, globals, flags.store);
  const clientSecretSource = { file: flags.clientSecretFile, stdin: flags.clientSecretStdin };

  async function assertion(subject?: string): Promise<string> {
    const clientId = profile.client_id;
    if (!clientId) throw new UsageError('missing_client_setting', `client_auth ${profile.client_auth} needs client_id in the profile`);
    const audience =
      !profile.assertion_audience || profile.assertion_audience === 'token_url'
        ? profile.token_url
        : profile.assertion_audience === 'issuer'
          ? profile.issuer
          : profile.assertion_audience;
    if (!audience) throw new UsageError('missing_client_setting', 'the client assertion needs an audience: a token_url or issuer in the profile');
    let key;
    if (profile.client_auth === 'client_secret_jwt') {
      key = secretKey(await requireSecret('client_secret', clientSecretSource, deps, access));
    } else if (profile.private_key) {
      key = await loadKeyFile(profile.private_key, {}, deps.io);
    } else {
      key = await loadKeyFromKeychain();
    }
    const alg = profile.client_auth === 'client_secret_jwt' ? (profile.alg ?? 'HS256') : (profile.alg ?? defaultAlgorithm(key));
    assertAlgorithmFits(alg, key);
    const kid = profile.kid ?? key.kid;
    return signJwt(clientAssertionClaims(clientId, audience, deps.now(), randomUUID(), 60, subject), { typ: 'JWT', ...(kid ? { kid } : {}) }, key, alg);
  }

  async function loadKeyFromKeychain() {
    const pem = await requireSecret('private_key', {}, deps, access);
    const { loadKey } = await import('../core/keys/load.js');
    return loadKey(pem);
  }

  /**
   * One request under the bounded retry policy (429/503 with Retry-After, a failed connection):
   * what it carries joins the redaction set first, and a response given up on is drained (`drop`)
   * before the next attempt.
   */
  async function retrying<R extends { status: number; headers: HttpResponse['headers'] }>(
    request: SentRequest,
    once: () => Promise<R>,
    drop?: (response: R) => Promise<unknown>,
  ): Promise<R> {
    for (const secret of sentSecrets(request)) deps.secrets.add(secret);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      let response: R | undefined;
      let failure: unknown;
      try {
        response = await once();
      } catch (error) {
        if (!retryable(error)) throw error;
        failure = error;
      }
      const delay = nextDelay(
        { status: response?.status, retryAfter: response?.headers['retry-after'], connectionFailed: failure !== undefined },
        attempt,
        waited,
        policy,
        deps.nowMs(),
      );
      if (delay === undefined) {
        if (failure) throw failure;
        return response!;
      }
      if (response) await drop?.(response);
      if (globals.verbose) deps.io.stderr.write(`  retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${policy.maxAttempts})\n`);
      await deps.sleep(delay);
      waited += delay;
    }
  }

  return {
    name: selected.name,
    profile,
    cacheEndpoint: cacheEndpoint(selected.profile, issuer),
    http,
    send: (request) => retrying(request, () => http.send(request)),
    open: (request) =>
      retrying(
        request,
        () => http.open(request),
        (response) => response.discard(),
      ),
    async clientCredentials() {
      const method = profile.client_auth ?? 'client_secret_basic';
      const clientId = profile.client_id;
      if (method === 'client_secret_basic' || method === 'client_secret_post') {
        const { value, origin } = await requireSecretFrom('client_secret', clientSecretSource, deps, access);
        return { clientId, clientSecret: value, secretOrigin: origin };
      }
      if (method === 'client_secret_jwt' || method === 'private_key_jwt') return { clientId, clientAssertion: await assertion() };
      if (method === 'api_key') {
        const { value, origin } = await requireSecretFrom('api_key', clientSecretSource, deps, access);
        return { apiKey: value, secretOrigin: origin };
      }
      return { clientId };
    },
    grantAssertion: () => assertion(profile.username ?? profile.client_id),
    password: () => requireSecret('password', { file: flags.passwordFile, stdin: flags.passwordStdin }, deps, access),
    store: access.store,
    access,
    storeChoice: flags.store,
    close: () => http.close(),
  };
}

/** Runs `work` with a session for the selected profile, and always closes its HTTP client. */
export async function withSession<T>(flags: EndpointFlags, deps: Deps, globals: GlobalOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(flags, deps, globals);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/** RFC 9126 from the metadata: the endpoint, and `par = "always"` (for this run) when the server requires it. */
export function fillPar(profile: Profile, metadata: ServerMetadata): void {
  if (typeof metadata.pushed_authorization_request_endpoint === 'string') profile.par_url ??= metadata.pushed_authorization_request_endpoint;
  if (metadata.require_pushed_authorization_requests === true) profile.par = 'always';
}
