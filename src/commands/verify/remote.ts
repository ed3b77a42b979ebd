import type { Deps, GlobalOptions } from '../../deps.js';
import { normalizeTokenInput } from '../../core/jwt/parse.js';
import { buildRemoteVerifyRequest, parseBearerResponse } from '../../core/oauth/endpoints.js';
import { maskToken, redactedInfo } from '../../core/redact.js';
import { renderFindings, renderInfoTable, type CommandResult } from '../../io/output.js';
import { readOneToken } from '../../io/token-input.js';
import { type EndpointFlags, withSession } from '../../services/session.js';

/** `verify --remote`: the profile's vendor verify endpoint (the gamification API's GET /v1/auth/verify) judges the token. */
export async function runRemoteVerify(options: EndpointFlags & { token?: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const token = normalizeTokenInput(await readOneToken(options.token, deps.io));
  return withSession(options, deps, globals, async (session) => {
    const verdict = redactedInfo(parseBearerResponse(await session.send(buildRemoteVerifyRequest(session.profile, token))), deps.run.secrets);
    return {
      json: { token: maskToken(token), remote: session.profile.verify_url, ...verdict },
      exitCode: verdict.valid ? 0 : 1,
      text: (style) =>
        verdict.valid
          ? `${style.green(`✔ valid according to ${session.profile.verify_url}`)}${renderInfoTable(verdict.info, style)}`
          : `${style.red(`✖ invalid according to ${session.profile.verify_url}`)}\n${renderFindings(verdict.findings, style)}`,
    };
  });
}
