import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerClient, ServerUser } from './settings.js';
import { formParams, OAuthFailure, type Params, type Routes, type ServerContext, type ServerReply, type ServerRequest } from './protocol.js';
import { PageGuard } from './page-guard.js';
import { refusedScopes } from './grants.js';
import { escapeHtml, hidden, page, SignInForms } from './sign-in-forms.js';
import { DevicePages } from './device-pages.js';

/**
 * What a person does in a browser: sign in on the authorization endpoint (RFC 6749 §4.1 with
 * PKCE, RFC 7636; pushed requests, RFC 9126), or on the device verification page (RFC 8628,
 * device-pages.ts). The development server's users come from its settings; the pages are plain
 * HTML forms (sign-in-forms.ts; a scripted user agent in the tests fills them in).
 */

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  nonce?: string;
  /** RFC 9449 §10: the DPoP key the code is bound to (dpop_jkt of the authorization request). */
  dpopJkt?: string;
  user: ServerUser;
  exp: number;
}

/** Who signed in, for the grant that follows. */
export interface SignedIn {
  user: ServerUser;
  scope: string;
  nonce?: string;
  dpopJkt?: string;
}

const CODE_LIFETIME = 60;

/** RFC 8252 §7.3: a native client's loopback redirect may use any port. */
function loopback(uri: URL): boolean {
  return uri.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(uri.hostname);
}

/** How long a pushed authorization request waits for the browser (RFC 9126 §2.2: short). */
const PUSHED_LIFETIME = 60;

const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'dpop_jkt',
] as const;

export class SignIn {
  private readonly codes = new Map<string, PendingCode>();
  /** RFC 9126: pushed authorization requests by request_uri, each used once within its lifetime. */
  private readonly pushed = new Map<string, { clientId: string; params: Params; exp: number }>();
  private readonly forms: SignInForms;
  /** The device flow's pages (RFC 8628), sharing the sign-in forms and their guard. */
  readonly device: DevicePages;

  constructor(
    private readonly ctx: ServerContext,
    private readonly client: (id: string | undefined) => ServerClient | undefined,
    private readonly routes: Routes,
  ) {
    this.forms = new SignInForms(ctx);
    this.device = new DevicePages(ctx, this.forms, routes);
  }

  /** The checks before anything is shown: a known client allowed this grant, a redirect URI it registered (or loopback), PKCE S256. */
  private authorizeRequest(params: Params): { client: ServerClient; redirect: URL } {
    const client = this.client(params.client_id);
    if (!client) throw new OAuthFailure('invalid_request', 'unknown client_id');
    let redirect: URL;
    try {
      redirect = new URL(params.redirect_uri ?? '');
    } catch {
      throw new OAuthFailure('invalid_request', 'redirect_uri is missing or not a URL');
    }
    const registered = client.redirect_uris.length ? client.redirect_uris.includes(redirect.toString()) : loopback(redirect);
    if (!registered) throw new OAuthFailure('invalid_request', 'redirect_uri is not registered for this client');
    if (!client.grants.includes('authorization_code'))
      throw new OAuthFailure('unauthorized_client', `client "${client.client_id}" may not use the authorization code grant`);
    if (params.response_type !== 'code') throw new OAuthFailure('unsupported_response_type', 'only response_type=code is supported');
    if (!params.code_challenge || params.code_challenge_method !== 'S256')
      throw new OAuthFailure('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256 (RFC 7636)');
    return { client, redirect };
  }

  /**
   * RFC 9126 §2: an authenticated client's authorization request, checked as /authorize checks
   * one (redirect URI, PKCE, scopes), kept for a minute under a request_uri.
   */
  push(params: Params, client: ServerClient): ServerReply {
    if (params.request_uri !== undefined) throw new OAuthFailure('invalid_request', 'a pushed request cannot itself hold a request_uri');
    if (params.client_id !== undefined && params.client_id !== client.client_id)
      throw new OAuthFailure('invalid_request', 'client_id is not the authenticated client');
    const asked: Params = { ...params, client_id: client.client_id };
    this.authorizeRequest(asked);
    const refused = refusedScopes(client, asked.scope);
    if (refused.length) throw new OAuthFailure('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);
    const now = this.ctx.now();
    for (const [uri, kept] of this.pushed) if (kept.exp <= now) this.pushed.delete(uri);
    const requestUri = `urn:ietf:params:oauth:request_uri:${this.ctx.newId()}`;
    const kept = Object.fromEntries(AUTHORIZE_PARAMS.filter((n) => asked[n] !== undefined).map((n) => [n, asked[n]!]));
    this.pushed.set(requestUri, { clientId: client.client_id, params: kept, exp: now + PUSHED_LIFETIME });
    return { status: 201, headers: { 'cache-control': 'no-store' }, body: { request_uri: requestUri, expires_in: PUSHED_LIFETIME } };
  }

  /** The parameters of a GET /authorize: its own, or (RFC 9126 §4) those pushed under its request_uri, once. */
  private authorizeParams(request: ServerRequest): Params {
    const given: Params = Object.fromEntries(new URLSearchParams(request.query ?? ''));
    if (given.request_uri === undefined) {
      if (this.ctx.settings.require_pushed_authorization_requests)
        throw new OAuthFailure('invalid_request', 'this server requires pushed authorization requests (RFC 9126)');
      return given;
    }
    const kept = this.pushed.get(given.request_uri);
    this.pushed.delete(given.request_uri);
    if (!kept || kept.exp <= this.ctx.now() || kept.clientId !== given.client_id)
      throw new OAuthFailure('invalid_request', "request_uri is unknown, used, expired, or not this client's");
    return kept.params;
  }

  /** GET shows the sign-in page; POST signs in and redirects back with a code (or access_denied, invalid_scope). */
  authorize(request: ServerRequest): ServerReply {
    const params = request.method === 'POST' ? formParams(request.body) : this.authorizeParams(request);
    const { client, redirect } = this.authorizeRequest(params);
    const back = (fields: Record<string, string | undefined>): ServerReply => {
      for (const [key, value] of Object.entries({ ...fields, state: params.state })) if (value !== undefined) redirect.searchParams.set(key, value);
      return { status: 302, headers: { location: redirect.toString(), 'cache-control': 'no-store' } };
    };
    // RFC 6749 §4.1.2.1: a scope the client may not have is refused before anyone signs in.
    const refused = refusedScopes(client, params.scope);
    if (refused.length) return back({ error: 'invalid_scope', error_description: `scope not allowed for this client: ${refused.join(' ')}` });
    if (request.method === 'GET') {
      const asks = `<p>${escapeHtml(client.client_id)} asks for: ${escapeHtml(params.scope || '(no scope)')}</p>`;
      return this.forms.formPage('Sign in to the authctl development server', asks, this.routes.authorization, hidden(params, AUTHORIZE_PARAMS));
    }
    if (!this.forms.guard.formIsOurs(request, params.csrf)) return PageGuard.foreignForm(page);
    if (params.action === 'deny') return back({ error: 'access_denied', error_description: 'the user denied the request' });
    const user = this.forms.signInFrom(request, params);
    if (!('username' in user)) return user;
    const code = this.ctx.newId();
    this.codes.set(code, {
      clientId: client.client_id,
      redirectUri: params.redirect_uri!,
      challenge: params.code_challenge!,
      scope: params.scope ?? '',
      nonce: params.nonce,
      ...(params.dpop_jkt ? { dpopJkt: params.dpop_jkt } : {}),
      user,
      exp: this.ctx.now() + CODE_LIFETIME,
    });
    return back({ code });
  }

  /** The token endpoint's side of RFC 6749 §4.1.3 with RFC 7636 §4.6: the code once, for this client and redirect URI and verifier. */
  redeemCode(params: Params, client: ServerClient): SignedIn {
    const pending = params.code ? this.codes.get(params.code) : undefined;
    if (params.code) this.codes.delete(params.code); // one use, whatever happens next
    if (!pending || pending.exp <= this.ctx.now()) throw new OAuthFailure('invalid_grant', 'the authorization code is invalid, expired or used');
    if (pending.clientId !== client.client_id) throw new OAuthFailure('invalid_grant', 'the code was issued to another client');
    if (params.redirect_uri !== pending.redirectUri) throw new OAuthFailure('invalid_grant', 'redirect_uri does not match the authorization request');
    const verifier = params.code_verifier ?? '';
    const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    const expected = Buffer.from(pending.challenge);
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || computed.length !== expected.length || !timingSafeEqual(computed, expected)) {
      throw new OAuthFailure('invalid_grant', 'code_verifier does not match the code_challenge (PKCE)');
    }
    return { user: pending.user, scope: pending.scope, nonce: pending.nonce, ...(pending.dpopJkt ? { dpopJkt: pending.dpopJkt } : {}) };
  }
}
