import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { collect, emit, withEndpointOptions, lazyRuns } from '../options.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runApi: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function apiCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return withEndpointOptions(
    new Command('api')
      .description("an authenticated request with the profile's token (gh api-like); the response body goes to stdout")
      .argument('[method]', 'HTTP method (default GET, or POST with a body)')
      .argument('[url]', "absolute URL, or a path on the profile's base_url")
      .option('-X, --method <method>', 'the HTTP method (default GET, or POST with a body or fields)')
      .option('-H, --header <header>', 'extra request header, "Name: value" (repeatable)', collect)
      .option('-f, --raw-field <key=value>', 'a string field of a JSON body (or of the query for GET); repeatable', collect)
      .option('-F, --field <key=value>', 'a typed field: true, false, null and integers as JSON, @file (or @-) its contents; repeatable', collect)
      .option('--input <file>', 'the request body from a file, or - for stdin')
      .option('-d, --data <data>', 'request body: text, @file, or @- for stdin')
      .option('-i, --include', 'print the status line and response headers before the body')
      .option('--paginate', 'follow Link: rel="next" (on the profile\'s origins only) and print every page')
      .option('--slurp', 'with --paginate: one JSON array of every page')
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
Fields (-f strings, -F typed; name[]=v appends, name[sub]=v nests) make a JSON body, or the query
string of a GET. A body from --input or -d is sent as application/json when it is JSON, else as a
form; -H Content-Type overrides. On a terminal a JSON response is pretty-printed and every body
passes the sanitizer; in a pipe the bytes stream as they come. --jq filters a JSON response.

Exit status: 0 for 2xx, 1 for another 4xx, 3 for 5xx or network trouble, 4 when the server
refuses a fresh token too.

Examples:
  authctl api --profile gooclaim /v1/workflows/wf_abc123
  authctl api --profile gooclaim /v1/workflows --jq '.items[].id'
  authctl api --profile gooclaim -X POST /v1/claims -f kind=repair -F amount=42 -F urgent=true
  authctl api --profile gooclaim POST /v1/claims --input claim.json
  authctl api --profile kc /v1/reports --paginate --slurp
  authctl api --profile jg -i https://sandbox-api.justgold.me/v1/ping`,
    )
    .action((method, url, { method: forceMethod, ...flags }, cmd) =>
      emit(deps, cmd, async (globals) => runs.runApi({ ...flags, forceMethod, method, url }, deps, globals)),
    );
}
