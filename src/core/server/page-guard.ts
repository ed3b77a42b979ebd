import { sameSecret, type ServerContext, type ServerReply, type ServerRequest } from './protocol.js';

/**
 * What keeps the development server's sign-in pages as a careful server builds them (and as
 * people copy them): an anti-CSRF token on every form (a cookie and a hidden field that must
 * match, issued by this server, SameSite=Strict), and sign-in attempts throttled per user and
 * per client address with a delay that doubles after each failure past the first few.
 */

/** How long a form stays good to submit. */
const FORM_LIFETIME = 600;
/** Failures allowed before the waiting starts; then 1, 2, 4 … seconds, at most MAX_DELAY. */
const FREE_FAILURES = 3;
const MAX_DELAY = 300;
const COOKIE = 'authctl_form';

/** Headers of every page a person sees (authorization-server.ts adds them): it is never framed (clickjacking), nor cached. */
export const PAGE_HEADERS = {
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
} as const;

interface Failures {
  count: number;
  /** No attempt is judged before this time (seconds since the epoch). */
  until: number;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class PageGuard {
  private readonly forms = new Map<string, number>();
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly ctx: Pick<ServerContext, 'now' | 'newId'>) {}

  /** A new form's token: the hidden field to put in it and the cookie header to send with the page. */
  issueForm(): { field: string; headers: Record<string, string> } {
    const now = this.ctx.now();
    for (const [token, exp] of this.forms) if (exp <= now) this.forms.delete(token);
    const token = this.ctx.newId();
    this.forms.set(token, now + FORM_LIFETIME);
    return {
      field: `<input type="hidden" name="csrf" value="${token}">`,
      headers: { 'set-cookie': `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${FORM_LIFETIME}` },
    };
  }

  /** Whether a posted form came from a page this server showed to this browser. */
  formIsOurs(request: ServerRequest, field: string | undefined): boolean {
    const cookie = cookieValue(request.headers.cookie, COOKIE);
    const exp = cookie === undefined ? undefined : this.forms.get(cookie);
    return field !== undefined && cookie !== undefined && exp !== undefined && exp > this.ctx.now() && sameSecret(field, cookie);
  }

  /** The keys a sign-in attempt is counted under. */
  private keys(request: ServerRequest, username: string | undefined): string[] {
    return [`user:${username ?? ''}`, `address:${request.client ?? 'unknown'}`];
  }

  /** Seconds until an attempt may be judged, or 0 when it may be now. */
  waitFor(request: ServerRequest, username: string | undefined): number {
    const now = this.ctx.now();
    return Math.max(0, ...this.keys(request, username).map((key) => (this.failures.get(key)?.until ?? 0) - now));
  }

  /** Counts a failed attempt; past FREE_FAILURES each one doubles the wait. */
  failed(request: ServerRequest, username: string | undefined): void {
    const now = this.ctx.now();
    for (const key of this.keys(request, username)) {
      const count = (this.failures.get(key)?.count ?? 0) + 1;
      const delay = count > FREE_FAILURES ? Math.min(MAX_DELAY, 2 ** (count - FREE_FAILURES - 1)) : 0;
      this.failures.set(key, { count, until: now + delay });
    }
  }

  /** A signed-in user's slate is clean again (the address keeps its count: it may be guessing other users). */
  succeeded(username: string): void {
    this.failures.delete(`user:${username}`);
  }

  /** The page for a form this server did not issue, or one that expired. */
  static foreignForm(page: (title: string, body: string) => string): ServerReply {
    return {
      status: 403,
      headers: {},
      html: page('Form expired', '<p>This form expired or did not come from this server. Go back, reload the page and try again.</p>'),
    };
  }

  /** The page for an attempt made too soon after failures. */
  static tooSoon(seconds: number, page: (title: string, body: string) => string): ServerReply {
    return {
      status: 429,
      headers: { 'retry-after': String(seconds) },
      html: page('Too many attempts', `<p>Too many failed sign-ins. Try again in ${seconds} s.</p>`),
    };
  }
}
