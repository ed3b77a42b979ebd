import type { ServerMetadata } from '../core/oauth/discovery.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../core/config-values.js';
import type { Deps, GlobalOptions } from '../deps.js';
import { UsageError } from '../errors.js';
import type { Profile } from '../core/config.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../core/oauth/retry.js';
import { selectProfile } from '../io/config-store.js';
import { readTextFile } from '../io/files.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../io/http.js';
import type { DpopClient } from './dpop.js';
import type { KeyStore } from '../io/keychain.js';
import { cacheEndpoint } from '../io/token-cache.js';
import { storeAccess, type StoreAccess } from './secrets.js';
import { type ClientAuth, clientAuth } from './client-auth.js';
import { retryingSender, type Sender } from './sender.js';

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
  /** `token get --dpop`: bind this run's tokens to the profile's DPoP key, whatever the profile says. */
  dpop?: boolean;
}

/**
 * An endpoint command's view of its profile: the profile (discovery filled in), its transport
 * (HTTP client and the retrying sender), its client authentication, and its credential store.
 */
export interface Session extends Sender, ClientAuth {
  name: string;
  profile: Profile;
  /** What keys the token cache: the endpoint as configured, before discovery (tokens.ts cacheEndpoint). */
  cacheEndpoint?: string;
  http: HttpClient;
  /** The credential store, or undefined (with the reason) when none is reachable. */
  store(): Promise<KeyStore | undefined>;
  /** `--store`, when given. */
  storeChoice?: 'keychain' | 'file';
  /** The profile's credential store, for the secret resolver (services/secrets.ts). */
  access: StoreAccess;
  /** The profile's DPoP client when it uses DPoP (`dpop = true`, `--dpop`); made on first use. */
  dpop(): Promise<DpopClient | undefined>;
  /** A token-endpoint (or PAR) request: with a DPoP proof when the profile uses DPoP, else as send does. */
  sendWithProof(request: HttpRequest): Promise<HttpResponse>;
  /** What the server's metadata adds for this run: PAR (fillPar), the DPoP algorithms it takes. */
  learn(metadata: ServerMetadata): void;
  close(): Promise<void>;
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
  const profile: Profile = { ...selected.profile, ...(flags.dpop ? { dpop: true } : {}) };
  let dpopAlgs: string[] | undefined;
  const learn = (metadata: ServerMetadata) => {
    fillPar(profile, metadata);
    const algs = metadata.dpop_signing_alg_values_supported;
    if (Array.isArray(algs) && algs.every((alg) => typeof alg === 'string')) dpopAlgs = algs;
  };
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
    learn(metadata);
    profile.issuer = issuer;
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY, maxWaitMs: (flags.maxWait ?? DEFAULT_RETRY.maxWaitMs / 1000) * 1000 };

  const access = storeAccess(selected.name, deps, globals, flags.store);
  const auth = clientAuth(
    profile,
    { clientSecret: { file: flags.clientSecretFile, stdin: flags.clientSecretStdin }, password: { file: flags.passwordFile, stdin: flags.passwordStdin } },
    deps,
    access,
  );
  const sender = retryingSender(http, policy, deps, globals.verbose);
  let dpop: Promise<DpopClient | undefined> | undefined;
  const dpopFor = () =>
    (dpop ??= profile.dpop ? import('./dpop.js').then(({ dpopClient }) => dpopClient(access, deps, globals, dpopAlgs)) : Promise.resolve(undefined));
  return {
    name: selected.name,
    profile,
    cacheEndpoint: cacheEndpoint(selected.profile, issuer),
    http,
    ...sender,
    ...auth,
    store: access.store,
    access,
    storeChoice: flags.store,
    dpop: dpopFor,
    async sendWithProof(request) {
      const client = await dpopFor();
      return client ? client.send(request, sender.send) : sender.send(request);
    },
    learn,
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
function fillPar(profile: Profile, metadata: ServerMetadata): void {
  if (typeof metadata.pushed_authorization_request_endpoint === 'string') profile.par_url ??= metadata.pushed_authorization_request_endpoint;
  if (metadata.require_pushed_authorization_requests === true) profile.par = 'always';
}
