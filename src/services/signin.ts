import { randomBytes } from 'node:crypto';
import type { Deps, GlobalOptions } from '../deps.js';
import { AuthError, UsageError } from '../errors.js';
import { firstError, judgeToken } from '../core/jwt/judge.js';
import { remoteKeySet, skipNote } from './key-source.js';
import {
  type AuthorizationRequest,
  buildAuthorizationUrl,
  buildPushedAuthorizationRequest,
  parsePushedAuthorizationResponse,
  buildDeviceAuthorizationRequest,
  parseCallback,
  parseDeviceAuthorization,
  pkcePair,
  pollInterval,
  pollVerdict,
} from '../core/oauth/authorization.js';
import { said } from '../core/untrusted-text.js';
import { diagnostic } from '../io/output.js';
import { buildTokenRequest, parseTokenResponse, type GrantParameters, type TokenSet } from '../core/oauth/token.js';
import { openBrowser } from '../io/browser.js';
import { listenForCallback } from '../io/loopback.js';
import type { Session } from './session.js';

/**
 * The profile with the endpoint a sign-in needs: a profile that names both its issuer and its
 * token_url skips discovery when the session opens (a client_credentials run needs nothing more),
 * so a person's sign-in asks the issuer's metadata for the rest here. The session's profile is
 * filled in too (the ID-token check needs jwks_uri).
 */
async function withSignInEndpoints(session: Session, needed: 'authorization_url' | 'device_authorization_url') {
  const { profile } = session;
  if (profile[needed] || !profile.issuer) return profile;
  const { discover } = await import('../io/jwks.js');
  const metadata = await discover(profile.issuer, session.http);
  profile.authorization_url ??= metadata.authorization_endpoint;
  profile.device_authorization_url ??= metadata.device_authorization_endpoint;
  profile.jwks_uri ??= metadata.jwks_uri;
  session.learn(metadata);
  return profile;
}

export interface SignInOptions {
  scope?: string;
  /** Push the authorization request first (RFC 9126), whatever the profile says. */
  par?: boolean;
  /** Print the URL instead of opening a browser. */
  noBrowser?: boolean;
  /** How long to wait for the person, in seconds. */
  waitSeconds: number;
}

/**
 * The authorization code grant with PKCE for a person (RFC 8252): a loopback listener, the
 * browser ($BROWSER, else the system's opener; or the URL on stderr), the redirect back with
 * `state` checked. Returns the token request's parameters, and the nonce to check in the ID token.
 */
export async function browserSignIn(session: Session, deps: Deps, options: SignInOptions): Promise<{ params: GrantParameters; nonce?: string }> {
  const profile = await withSignInEndpoints(session, 'authorization_url');
  if (!profile.client_id) throw new UsageError('missing_client_setting', 'the authorization code grant needs client_id in the profile');
  const callback = await listenForCallback(profile.redirect_uri);
  try {
    const { verifier, challenge } = pkcePair(randomBytes(32));
    const state = randomBytes(16).toString('base64url');
    const scope = options.scope ?? profile.scope;
    const nonce = scope?.split(' ').includes('openid') ? randomBytes(16).toString('base64url') : undefined;
    // RFC 9449 §10: a DPoP profile binds the code to its key (dpop_jkt), so only its proof redeems it.
    const dpopJkt = (await session.dpop())?.jkt;
    const request = { clientId: profile.client_id, redirectUri: callback.redirectUri, scope, state, challenge, nonce, dpopJkt };
    // RFC 9126: the request goes to the server first, with the client's authentication; the
    // browser then carries only client_id and the request_uri it gave back.
    const pushed = options.par || profile.par === 'always' ? await pushAuthorizationRequest(session, request) : undefined;
    const url = buildAuthorizationUrl(profile, request, pushed);
    const opened = !options.noBrowser && (await openBrowser(url, deps.io.env));
    diagnostic(
      deps.io,
      opened
        ? `authctl: sign in to ${new URL(url).host} in your browser (waiting up to ${options.waitSeconds} s)`
        : `authctl: open this URL in a browser to sign in (waiting up to ${options.waitSeconds} s):\n  ${url}`,
    );
    const code = parseCallback(await callback.wait(options.waitSeconds * 1000), state);
    return { params: { grant: 'authorization_code', code, redirectUri: callback.redirectUri, codeVerifier: verifier }, ...(nonce ? { nonce } : {}) };
  } finally {
    await callback.close();
  }
}

/**
 * The device authorization grant (RFC 8628): the code and where to enter it go to stderr
 * (stdout stays the token), then the token endpoint is polled at the server's interval (within
 * POLL_INTERVAL), slowing down when it says so, until the person approves, denies, the code
 * expires or the sign-in timeout passes, whichever comes first.
 */
export async function deviceSignIn(session: Session, deps: Deps, scope: string | undefined, waitSeconds: number): Promise<TokenSet> {
  const profile = await withSignInEndpoints(session, 'device_authorization_url');
  const credentials = await session.clientCredentials();
  const device = parseDeviceAuthorization(await session.send(buildDeviceAuthorizationRequest(profile, credentials, scope ?? profile.scope)));
  diagnostic(deps.io, `authctl: to sign in, open ${said(device.verificationUri)} and enter the code ${said(device.userCode)}`);
  if (device.verificationUriComplete) diagnostic(deps.io, `  (or open ${said(device.verificationUriComplete)})`);
  let interval = device.interval;
  const limit = Math.min(device.expiresIn, waitSeconds);
  const deadline = deps.nowMs() + limit * 1000;
  while (deps.nowMs() + interval * 1000 < deadline) {
    await deps.sleep(interval * 1000);
    const response = await session.sendWithProof(buildTokenRequest(profile, { grant: 'device_code', deviceCode: device.deviceCode }, credentials));
    const verdict = pollVerdict(response);
    if (verdict?.kind === 'pending') continue;
    if (verdict?.kind === 'slow_down') {
      interval = pollInterval(interval, true);
      continue;
    }
    return parseTokenResponse(response, profile.client_auth);
  }
  throw limit < device.expiresIn
    ? new AuthError('expired_token', `no sign-in within ${limit} s`, 'run it again, or give more time with --sign-in-timeout')
    : new AuthError('expired_token', `the device code expired after ${device.expiresIn} s without a sign-in`, 'run it again');
}

/**
 * An ID token from a sign-in, checked before its tokens are kept (OpenID Connect Core §3.1.3.7):
 * the signature against the issuer's JWKS, then the claims module with iss, aud = the client
 * and the nonce sent.
 */
export async function checkIdToken(session: Session, deps: Deps, globals: GlobalOptions, idToken: string, nonce: string | undefined): Promise<void> {
  const { profile } = session;
  if (!profile.jwks_uri)
    throw new AuthError(
      'invalid_id_token',
      'the sign-in returned an ID token, but the profile has no jwks_uri to check it with',
      'set issuer (discovery fills jwks_uri) in the profile',
    );
  const policy = {
    issuer: profile.issuer ? [profile.issuer] : undefined,
    audience: [profile.client_id!],
    authorizedParty: profile.client_id!,
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    ...(nonce ? { nonce } : {}),
  };
  const { check } = await remoteKeySet(profile.jwks_uri, session.http, deps, {}, { onSkip: skipNote(deps, globals) });
  const error = firstError(await judgeToken(idToken, check, policy, { now: deps.now() }));
  if (error) throw new AuthError('invalid_id_token', `the ID token from the sign-in does not check out: ${error.code}: ${error.message}`);
}

/** The pushed authorization request (RFC 9126 §2): its request_uri, or the server's refusal. */
async function pushAuthorizationRequest(session: Session, request: AuthorizationRequest): Promise<string> {
  const { profile } = session;
  if (!profile.par_url)
    throw new UsageError(
      'missing_endpoint',
      'the sign-in is to push its request, and the profile has no par_url',
      'set par_url, or issuer for discovery to fill it',
    );
  const credentials = await session.clientCredentials();
  return parsePushedAuthorizationResponse(await session.sendWithProof(buildPushedAuthorizationRequest(profile, request, credentials)), profile.client_auth);
}
