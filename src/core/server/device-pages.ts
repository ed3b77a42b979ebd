import { createHash } from 'node:crypto';
import type { ServerClient, ServerUser } from './settings.js';
import { formParams, OAuthFailure, type Params, type Routes, type ServerContext, type ServerReply, type ServerRequest } from './protocol.js';
import { escapeHtml, page, type SignInForms } from './sign-in-forms.js';
import type { SignedIn } from './sign-in-pages.js';

/**
 * The device authorization grant's server side (RFC 8628): a device code and a user code for the
 * client, the verification page where a person signs in and approves it, and the token
 * endpoint's polling answers.
 */

interface DeviceGrant {
  clientId: string;
  userCode: string;
  scope: string;
  exp: number;
  interval: number;
  lastPoll?: number;
  state: 'pending' | 'approved' | 'denied';
  user?: ServerUser;
}

const DEVICE_LIFETIME = 600;
/** The development server polls fast (RFC 8628's default is 5 s), so flows run in seconds. */
const DEVICE_INTERVAL = 1;
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export class DevicePages {
  private readonly devices = new Map<string, DeviceGrant>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly forms: SignInForms,
    private readonly routes: Routes,
  ) {}

  /** RFC 8628 §3.1–3.2: a device code and a short user code for a (pre-authenticated) client. */
  start(client: ServerClient, scope: string | undefined): ServerReply {
    if (!client.grants.includes('device_code')) throw new OAuthFailure('unauthorized_client', `client "${client.client_id}" may not use the device flow`);
    const deviceCode = this.ctx.newId();
    const raw = createHash('sha256').update(deviceCode).digest();
    const userCode = Array.from({ length: 8 }, (_, i) => USER_CODE_ALPHABET[raw[i]! % USER_CODE_ALPHABET.length])
      .join('')
      .replace(/^(.{4})/, '$1-');
    this.devices.set(deviceCode, {
      clientId: client.client_id,
      userCode,
      scope: scope ?? '',
      exp: this.ctx.now() + DEVICE_LIFETIME,
      interval: DEVICE_INTERVAL,
      state: 'pending',
    });
    const verification = `${this.ctx.issuer}${this.routes.device}`;
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verification,
        verification_uri_complete: `${verification}?user_code=${userCode}`,
        expires_in: DEVICE_LIFETIME,
        interval: DEVICE_INTERVAL,
      },
    };
  }

  /** The verification page: GET shows the form, POST approves or denies the user code, for a signed-in user only. */
  page(request: ServerRequest): ServerReply {
    const params = request.method === 'POST' ? formParams(request.body) : Object.fromEntries(new URLSearchParams(request.query ?? ''));
    if (request.method === 'GET')
      return this.forms.formPage(
        'Connect a device',
        '',
        this.routes.device,
        `<p><label>Code <input name="user_code" value="${escapeHtml(params.user_code ?? '')}"></label></p>`,
      );
    const normalized = (params.user_code ?? '').toUpperCase().replace(/[^A-Z]/g, '');
    const grant = [...this.devices.values()].find((d) => d.userCode.replace('-', '') === normalized && d.state === 'pending' && d.exp > this.ctx.now());
    const user = this.forms.signInFrom(request, params);
    if (!('username' in user)) return user;
    if (!grant) return { status: 400, headers: {}, html: page('Unknown code', '<p>That code is unknown or has expired.</p>') };
    if (params.action === 'deny') {
      grant.state = 'denied';
      return { status: 200, headers: {}, html: page('Denied', '<p>The device was not connected. You can close this tab.</p>') };
    }
    grant.state = 'approved';
    grant.user = user;
    return { status: 200, headers: {}, html: page('Device connected', '<p>You are signed in on the device. You can close this tab.</p>') };
  }

  /** The token endpoint's side of RFC 8628 §3.4–3.5: pending, slow down, denied, expired, or the user. */
  poll(params: Params, client: ServerClient): SignedIn {
    const grant = params.device_code ? this.devices.get(params.device_code) : undefined;
    if (!grant || grant.clientId !== client.client_id) throw new OAuthFailure('invalid_grant', 'unknown device_code');
    const now = this.ctx.now();
    if (grant.exp <= now) throw new OAuthFailure('expired_token', 'the device code expired; start again');
    if (grant.state === 'denied') throw new OAuthFailure('access_denied', 'the user denied the request');
    const tooSoon = grant.lastPoll !== undefined && now - grant.lastPoll < grant.interval;
    grant.lastPoll = now;
    if (tooSoon) {
      grant.interval += 5; // §3.5: slow_down adds 5 seconds
      throw new OAuthFailure('slow_down', `poll at most every ${grant.interval} s`);
    }
    if (grant.state === 'pending') throw new OAuthFailure('authorization_pending', 'the user has not finished signing in');
    this.devices.delete(params.device_code!);
    return { user: grant.user!, scope: grant.scope };
  }
}
