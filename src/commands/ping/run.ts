import type { Deps, GlobalOptions } from '../../deps.js';
import { normalizeTokenInput } from '../../core/jwt/parse.js';
import { redactedInfo } from '../../core/redact.js';
import { buildHealthRequest, parseBearerResponse } from '../../core/oauth/endpoints.js';
import { renderFindings, renderInfoTable, type CommandResult } from '../../io/output.js';
import { readOneToken } from '../../io/token-input.js';
import { presenting, profileToken } from '../../services/profile-token.js';
import { type EndpointFlags, withSession } from '../../services/session.js';

/** `ping`: the profile's health endpoint (JustGold's `GET /v1/ping`) called with a token. */
export async function runPing(options: EndpointFlags & { token?: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const given = options.token !== undefined ? normalizeTokenInput(await readOneToken(options.token, deps.io)) : undefined;
  return withSession(options, deps, globals, async (session) => {
    const held = given !== undefined ? { token: given } : await profileToken(session, deps, globals);
    const request = buildHealthRequest(session.profile, held.token);
    const response = await presenting(session, request, held, session.send);
    const verdict = redactedInfo(parseBearerResponse(response, 'the health endpoint'), deps.run.secrets);
    const ms = response.elapsedMs;
    return {
      json: { url: request.url, healthy: verdict.valid, ms, ...verdict },
      exitCode: verdict.valid ? 0 : 1,
      text: (style) =>
        verdict.valid
          ? `${style.green(`✔ ${request.url} answered in ${ms} ms`)}${renderInfoTable(verdict.info, style)}`
          : `${style.red(`✖ ${request.url} refused the token`)}\n${renderFindings(verdict.findings, style)}`,
    };
  });
}
