import type { ServerUser } from './settings.js';
import { type Params, sameSecret, type ServerContext, type ServerReply, type ServerRequest } from './protocol.js';
import { PageGuard } from './page-guard.js';

/**
 * The development server's sign-in forms, shared by the authorization endpoint and the device
 * verification page: plain HTML, each form carrying its anti-CSRF token, a posted sign-in
 * checked against the settings' users with failed attempts throttled (page-guard.ts). One guard
 * for both pages, so a form or a throttle counts wherever the person signs in.
 */

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function hidden(params: Params, names: readonly string[]): string {
  return names
    .filter((n) => params[n] !== undefined)
    .map((n) => `<input type="hidden" name="${n}" value="${escapeHtml(params[n]!)}">`)
    .join('');
}

const signInFields =
  '<p><label>Username <input name="username" autocomplete="username"></label></p><p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>' +
  '<p><button name="action" value="approve">Sign in and allow</button> <button name="action" value="deny">Deny</button></p>';

const WRONG_PASSWORD = page('Sign-in failed', '<p>Wrong username or password. Go back and try again.</p>');

export class SignInForms {
  readonly guard: PageGuard;

  constructor(private readonly ctx: ServerContext) {
    this.guard = new PageGuard(ctx);
  }

  /**
   * A posted form's sign-in: refused (a page to show) when the form is not one this server showed
   * this browser, when attempts come too fast after failures, or when the password is wrong.
   */
  signInFrom(request: ServerRequest, params: Params): ServerUser | ServerReply {
    if (!this.guard.formIsOurs(request, params.csrf)) return PageGuard.foreignForm(page);
    const wait = this.guard.waitFor(request, params.username);
    if (wait > 0) return PageGuard.tooSoon(wait, page);
    const user = this.ctx.settings.users.find((u) => u.username === params.username);
    if (!user || params.password === undefined || !sameSecret(params.password, user.password)) {
      this.guard.failed(request, params.username);
      return { status: 401, headers: {}, html: WRONG_PASSWORD };
    }
    this.guard.succeeded(user.username);
    return user;
  }

  /** A page with a sign-in form on it, and the anti-CSRF token the form carries. */
  formPage(title: string, before: string, action: string, fields: string): ServerReply {
    const { field, headers } = this.guard.issueForm();
    return {
      status: 200,
      headers,
      html: page(title, `${before}<form method="post" action="${this.ctx.issuer}${action}">${fields}${field}${signInFields}</form>`),
    };
  }
}
