#!/usr/bin/env bash
# The authctl Action's scan step (action.yml). Inputs come as INPUT_* variables, GitHub's own
# (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT) as Actions sets them. Scans the tree as
# SARIF, and on a pull request also what its commits added (scan --history BASE..HEAD), merges
# the two into one SARIF run, and says through GITHUB_OUTPUT how many findings there were and
# whether the job fails. authctl itself annotates the diff (it does so when GITHUB_ACTIONS=true).
# The job fails in the last step, so the SARIF upload still runs.
set -euo pipefail

authctl() { node "${AUTHCTL_BIN:-$GITHUB_ACTION_PATH/bin/authctl.cjs}" "$@"; }
sarif=${INPUT_SARIF_FILE:-authctl.sarif}
fail_on=${INPUT_FAIL_ON:-medium}
read -r -a paths <<<"${INPUT_PATHS:-.}"
options=(--fail-on "$fail_on")
[ -n "${INPUT_BASELINE:-}" ] && options+=(--baseline "$INPUT_BASELINE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=false

# status 0: clean, 1: findings at or above fail-on; anything else is an error of the scan itself.
run_scan() {
  local out=$1 status=0
  shift
  authctl scan "$@" "${options[@]}" --format sarif >"$out" || status=$?
  case $status in
    0) ;;
    1) failed=true ;;
    *) echo "authctl scan failed (exit $status)" >&2; exit "$status" ;;
  esac
}

run_scan "$work/tree.sarif" "${paths[@]}"

history=${INPUT_HISTORY:-auto}
base=''
if [ "$history" = true ] || { [ "$history" = auto ] && [[ ${GITHUB_EVENT_NAME:-} == pull_request* ]]; }; then
  # The event file is read as JSON, never required (require would run a file that is not .json).
  base=$(node -e 'const e = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(e.pull_request?.base?.sha ?? "")' "${GITHUB_EVENT_PATH:-/dev/null}" 2>/dev/null || true)
  if [ -z "$base" ]; then
    echo "::warning title=authctl::no pull request base commit in the event: the history scan is skipped"
  elif ! git cat-file -e "$base^{commit}" 2>/dev/null && ! git fetch --quiet --no-tags origin "$base" 2>/dev/null; then
    echo "::warning title=authctl::the base commit $base is not in the checkout (actions/checkout with fetch-depth: 0): the history scan is skipped"
    base=''
  fi
fi
if [ -n "$base" ]; then
  run_scan "$work/history.sarif" --history "$base..HEAD"
fi

# One SARIF run (code scanning takes one run per tool and category): the history's results join the tree's.
node - "$work/tree.sarif" "$work/history.sarif" "$sarif" <<'JS'
const fs = require('node:fs');
const [tree, history, out] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(tree, 'utf8'));
if (fs.existsSync(history)) {
  const more = JSON.parse(fs.readFileSync(history, 'utf8')).runs[0];
  const run = report.runs[0];
  const seen = new Set(run.results.map((r) => JSON.stringify([r.ruleId, r.partialFingerprints])));
  for (const rule of more.tool.driver.rules ?? []) if (!run.tool.driver.rules.some((r) => r.id === rule.id)) run.tool.driver.rules.push(rule);
  for (const result of more.results) {
    if (seen.has(JSON.stringify([result.ruleId, result.partialFingerprints]))) continue;
    run.results.push({ ...result, ruleIndex: run.tool.driver.rules.findIndex((r) => r.id === result.ruleId) });
  }
}
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
JS
findings=$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).runs[0].results.length' "$sarif")
{
  echo "findings=$findings"
  echo "sarif-file=$sarif"
  echo "failed=$failed"
} >>"${GITHUB_OUTPUT:-/dev/stdout}"
echo "authctl: $findings finding(s); the job fails: $failed"
