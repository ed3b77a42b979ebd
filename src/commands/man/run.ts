import type { Command } from '@commander-js/extra-typings';
import { renderManPage } from '../../core/man-page.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { ERRORS } from '../../errors.js';
import { COMMIT_DATE, VERSION } from '../../version.js';

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

/** A command's help as `authctl help COMMAND` prints it (its after-texts too), 80 columns, no colour. */
function helpOf(command: AnyCommand): string {
  let text = '';
  const saved = command.configureOutput();
  command.configureOutput({
    ...saved,
    writeOut: (chunk) => {
      text += chunk;
    },
    getOutHelpWidth: () => 80,
    getOutHasColors: () => false,
  });
  try {
    command.outputHelp();
  } finally {
    command.configureOutput(saved);
  }
  return text;
}

function paths(command: AnyCommand, prefix: string): { path: string; help: string }[] {
  const path = prefix ? `${prefix} ${command.name()}` : command.name();
  const subs = (command.commands as AnyCommand[]).filter((c) => c.name() !== 'help');
  return [{ path, help: helpOf(command) }, ...subs.flatMap((c) => paths(c, path))];
}

const EXIT_CLASSES = [
  [0, 'success', undefined],
  [1, 'a check failed: an invalid token, lint errors, an inactive token, secrets found, a failed check', undefined],
  [2, 'usage: a bad flag, an unreadable file, a malformed config', 'usage'],
  [3, 'network or server: unreachable, timeout, TLS, 5xx, a status that is no refusal, an unparseable answer', 'network'],
  [4, 'authentication: credentials refused or missing', 'auth'],
  [70, 'internal error (a bug in authctl): run again with --debug and report it', 'internal'],
  [130, 'interrupted', 'interrupted'],
] as const;

/** The whole page for the program's command tree. */
export function manPageOf(root: Command): string {
  const program = root as unknown as AnyCommand;
  return renderManPage({
    version: VERSION,
    date: COMMIT_DATE,
    description: program.description(),
    commands: paths(program, ''),
    exitCodes: EXIT_CLASSES.map(([code, meaning, exit]) => ({
      code,
      meaning,
      errors: exit ? Object.entries(ERRORS).flatMap(([name, spec]) => (spec.exit === exit ? [name] : [])) : [],
    })),
    environment: [
      ...Object.values(SECRET_SOURCES).map((s) => ({ name: s.env, meaning: `the ${s.what} (CI; never on the command line)` })),
      { name: 'AUTHCTL_CONFIG', meaning: 'the config file (--config)' },
      { name: 'AUTHCTL_PROFILE', meaning: 'the profile (--profile)' },
      { name: 'AUTHCTL_KEYCHAIN_SERVICE', meaning: 'the keychain service name credentials are stored under (default authctl)' },
      { name: 'XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_DATA_HOME, HOME', meaning: 'where the config, the caches and the plaintext credential file live' },
      { name: 'HTTPS_PROXY, HTTP_PROXY, NO_PROXY', meaning: 'proxies for every request' },
      { name: 'NO_COLOR, FORCE_COLOR, TERM', meaning: 'colour: off, forced, or off for TERM=dumb' },
      { name: 'BROWSER', meaning: 'the browser a person signs in with (authorization_code)' },
      { name: 'CI, GITHUB_ACTIONS', meaning: 'no progress line; scan annotates the diff on GitHub Actions' },
    ],
    files: [
      { path: '$XDG_CONFIG_HOME/authctl/config.toml', meaning: 'profiles and settings, never secrets (mode 0600)' },
      { path: '$XDG_CACHE_HOME/authctl/tokens/', meaning: 'cached access tokens (0700; files 0600), with locks/ beside it' },
      { path: '$XDG_CACHE_HOME/authctl/jwks/', meaning: 'cached key sets, as long as their Cache-Control allows' },
      { path: '$XDG_CACHE_HOME/authctl/code/', meaning: "Node's compile cache of the bundle" },
      {
        path: '$XDG_DATA_HOME/authctl/credentials.json',
        meaning: 'the plaintext credential store, only with --store file or credential_store = "file" (0600)',
      },
    ],
  });
}
