import { DEFAULT_TIMEOUT_SECONDS } from '../core/config-values.js';
import { type Command, InvalidArgumentError, Option, type OptionValues } from '@commander-js/extra-typings';
import type { Deps, GlobalOptions } from '../deps.js';
import type { CommandOutput } from '../io/output.js';
import { parseDuration } from '../core/duration.js';
import { globalsOf } from './globals.js';

/** Option parsers and options shared by several commands: each defined once. */

/** A repeatable option: every value, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A repeatable option that also takes comma-separated lists (`--aud a,b --aud c`). */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

export function durationArg(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError('expected a duration such as 90, 90s, 15m, 1h or 7d.');
  return seconds;
}

/** A whole number of days, 1 or more (a rotation age of 0 would flag every secret). */
export function daysArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of days, 1 or more.');
  return Number(value);
}

/** `--store`: the credential store (and, with token_cache = "keychain", the token cache). */
export function storeOption() {
  return new Option('--store <store>', 'credential store: the OS keychain (default) or the opt-in plaintext file store').choices(['keychain', 'file'] as const);
}

/**
 * Every action is the same: the command's run module is loaded on first use (so `authctl
 * decode` never loads the HTTP stack), it runs with the global flags, and its result is rendered.
 */
export async function emit(
  deps: Deps,
  cmd: { optsWithGlobals(): object; name(): string },
  run: (globals: GlobalOptions) => Promise<CommandOutput>,
): Promise<void> {
  const globals = globalsOf(cmd);
  await deps.emit(await run(globals), globals);
}

type Loader = () => Promise<object>;
/** What a loader's module exports under a name: the run function a command calls. */
type Loaded<L extends Loader, K> = K extends keyof Awaited<ReturnType<L>> ? Awaited<ReturnType<L>>[K] : never;

/**
 * A command's run functions by name, each loading its module on first call (so building a
 * command loads nothing heavy). A command's builder takes stand-ins for them (gh's `runF`), so a
 * test checks argv → options in process without running anything.
 */
export function lazyRuns<M extends Record<string, Loader>>(loaders: M): { [K in keyof M]: Loaded<M[K], K> } {
  return Object.fromEntries(
    Object.entries(loaders).map(([name, load]) => [
      name,
      async (...args: unknown[]) => ((await load()) as Record<string, (...a: unknown[]) => unknown>)[name]!(...args),
    ]),
  ) as never;
}

/** Flags of every command that calls a provider endpoint. Secrets come from files or stdin, never values. */
export function withEndpointOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  /** false for a command that authenticates the client only (revoke, introspect, exchange): the password flags are not listed. */
  getsTokens = true,
) {
  return command
    .addOption(new Option('--issuer <url>', 'fill missing endpoints from the issuer metadata (OpenID discovery, then RFC 8414)'))
    .addOption(new Option('--timeout <duration>', `per-request timeout (default ${DEFAULT_TIMEOUT_SECONDS}s)`).argParser(durationArg))
    .addOption(new Option('--max-wait <duration>', 'total time to wait on 429/503 Retry-After (default 30s)').argParser(durationArg))
    .addOption(new Option('--cacert <file>', 'extra trusted CA certificates (PEM)'))
    .addOption(new Option('--client-cert <file>', 'client certificate (PEM) for mutual TLS, RFC 8705 (or tls_client_cert in the profile)'))
    .addOption(new Option('--client-key <file>', 'private key (PEM) of --client-cert (or tls_client_key in the profile)'))
    .addOption(new Option('--client-secret-file <file>', 'client secret (or webMethods API key) from a file'))
    .addOption(new Option('--client-secret-stdin', 'client secret (or webMethods API key) from stdin'))
    .addOption(new Option('--password-file <file>', 'resource owner password from a file (password grant)').hideHelp(!getsTokens))
    .addOption(new Option('--password-stdin', 'resource owner password from stdin (password grant)').hideHelp(!getsTokens))
    .addOption(storeOption());
}

export function collectResource(value: string, previous: string[] | undefined): string[] {
  try {
    new URL(value);
  } catch {
    throw new InvalidArgumentError('a resource indicator is an absolute URI (RFC 8707).');
  }
  return collect(value, previous);
}
