import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { collect, emit, withEndpointOptions } from '../options.js';

export function apiCommand(deps: Deps) {
  return withEndpointOptions(
    new Command('api')
      .description("an authenticated request with the profile's token (gh api-like); the response body goes to stdout")
      .argument('[method]', 'HTTP method (default GET, or POST with a body)')
      .argument('[url]', "absolute URL, or a path on the profile's base_url")
      .option('-H, --header <header>', 'extra request header, "Name: value" (repeatable)', collect)
      .option('-d, --data <data>', 'request body: text, @file, or @- for stdin')
      .option('-i, --include', 'print the status line and response headers before the body')
      .option('--allow-origin <origin>', "let the profile's token go to this origin too, for this run (repeatable)", collect),
  )
    .addHelpText(
      'after',
      `
The token comes from the profile: its cache or token endpoint, or minted from its key and claims
template (JustGold, gamification). It goes only into the Authorization header: never argv,
output or traces. It goes only to the profile's own origins (scheme, host and port): its
base_url's, its api_origins, and any --allow-origin; any other URL, however spelled, is refused
before anything is sent (untrusted_origin, exit 2), and http never stands in for https. A 401 on a cached token evicts it, gets one fresh token and retries once.
With -d, --json says the body is JSON: it is checked, and sent as application/json. The response
body is printed as it comes, whatever its type (errors, with --json, are JSON documents).

Exit status: 0 for 2xx, 1 for another 4xx, 3 for 5xx or network trouble, 4 when the server
refuses a fresh token too.

Examples:
  authctl api --profile gooclaim /v1/workflows/wf_abc123
  authctl api --profile gooclaim POST /v1/claims --json -d @claim.json
  authctl api --profile jg -i https://sandbox-api.justgold.me/v1/ping
  echo '{"name":"x"}' | authctl api --profile wm PUT /resources/1 --json -d @-`,
    )
    .action((method, url, flags, cmd) => emit(deps, cmd, async (globals) => (await import('./run.js')).runApi({ ...flags, method, url }, deps, globals)));
}
