import type { Deps, GlobalOptions } from '../../deps.js';
import { UsageError } from '../../errors.js';
import { formatIsoTime, formatRelative } from '../../core/duration.js';
import { normalizeTokenInput } from '../../core/jwt/parse.js';
import { buildIntrospectionRequest, parseIntrospectionResponse } from '../../core/oauth/endpoints.js';
import { maskToken, redactValues, secretRedactor } from '../../core/redact.js';
import { cell, renderTable, type CommandResult } from '../../io/output.js';
import { readOneToken } from '../../io/token-input.js';
import { type EndpointFlags, withSession } from '../../services/session.js';
import { acquireToken } from '../../services/tokens.js';

/** RFC 7662 introspection, or Gooclaim's variant (Bearer with the caller's own token, a JSON body). */
export async function runIntrospect(
  options: EndpointFlags & { token?: string; tokenTypeHint?: string },
  deps: Deps,
  globals: GlobalOptions,
): Promise<CommandResult> {
  const token = normalizeTokenInput(await readOneToken(options.token, deps.io));
  if (!token) throw new UsageError('missing_token', 'no token to introspect');
  return withSession(options, deps, globals, async (session) => {
    // Gooclaim's variant authenticates with the caller's own access token.
    const bearer = session.profile.introspection_style === 'bearer-json' ? (await acquireToken(session, {}, deps, globals)).token.access_token : undefined;
    const credentials = bearer ? {} : await session.clientCredentials();
    // The server's fields are its words: an echo of what this run sent is redacted from them.
    const result = redactValues(
      parseIntrospectionResponse(
        await session.send(buildIntrospectionRequest(session.profile, token, { hint: options.tokenTypeHint, credentials, bearer })),
        session.profile.client_auth,
      ),
      secretRedactor(deps.run.secrets),
    );
    const now = deps.now();
    return {
      json: { token: maskToken(token), ...result },
      exitCode: result.active ? 0 : 1,
      text: (style) => {
        const head = result.active ? style.green('✔ active') : style.red('✖ inactive');
        const rows = Object.entries(result)
          .filter(([k]) => k !== 'active')
          .map(([k, v]) => {
            const time = ['exp', 'iat', 'nbf'].includes(k) && typeof v === 'number' ? style.dim(`  ${formatIsoTime(v)} (${formatRelative(v, now)})`) : '';
            return [k, `${cell(v)}${time}`] as const;
          });
        return rows.length ? `${head}\n${renderTable(rows, style)}` : head;
      },
    };
  });
}
