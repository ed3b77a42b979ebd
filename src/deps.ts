import type { IO } from './io/streams.js';
import type { ConfigStore } from './io/config-store.js';
import { colorEnabled, diagnostic, writeOutput, type CommandOutput } from './io/output.js';
import { type ExitCode, UsageError } from './errors.js';
import type { HttpClient } from './io/http.js';
import type { KeyStore } from './io/keychain.js';
import type { TokenCache } from './io/token-cache.js';

/** Flags every command accepts (defined once on the root command). */
export interface GlobalOptions {
  json: boolean;
  /** `--jq EXPR`: filter the JSON output (implies --json). */
  jq?: string;
  color: boolean;
  debug: boolean;
  verbose: boolean;
  config?: string;
  profile?: string;
  /** Every --profile given (only `check` accepts more than one). */
  profiles?: string[];
}

/**
 * What commands get from the edge. Everything with a cost or a side effect is a lazy getter,
 * so a command only pays for what it uses (decode never loads the network or keychain code).
 */
export interface Deps {
  io: IO;
  /** Seconds since the epoch; tests pass a fixed clock. */
  now(): number;
  /** Milliseconds since the epoch, for Retry-After dates. */
  nowMs(): number;
  /** Waits (retry back-off). */
  sleep(ms: number): Promise<void>;
  /**
   * The config file. One named by --config or AUTHCTL_CONFIG must exist, unless the caller is
   * about to create it (`profile add`): a mistyped path never reads as "no profiles".
   */
  config(globals: GlobalOptions, use?: 'read' | 'create'): Promise<ConfigStore>;
  /** An HTTP client (undici is loaded only by commands that call this). */
  http(settings: { timeoutMs: number; ca?: string; clientCert?: { cert: string; key: string }; verbose: boolean }): Promise<HttpClient>;
  /**
   * Where secrets are stored: the OS keychain, or the opt-in plaintext file store when chosen
   * by `--store file` or `credential_store = "file"` in the config. Never a silent fallback.
   */
  keystore(globals: GlobalOptions, choice?: 'keychain' | 'file'): Promise<KeyStore>;
  /**
   * The access-token cache: files under the cache directory unless the config says
   * `token_cache = "keychain"` (then the credential store) or `"off"` (undefined).
   */
  tokenCache(globals: GlobalOptions, choice?: 'keychain' | 'file'): Promise<TokenCache | undefined>;
  /** Renders a command's result (human or JSON) and records the exit code it implies in `run`. */
  emit(output: CommandOutput, globals: GlobalOptions): Promise<void>;
  /** What this run has recorded so far (owned by the edge, which reads it when the command ends). */
  run: RunState;
}

/** The run's record: not a dependency but what the edge needs back when the command ends. */
export interface RunState {
  /**
   * Every secret this run sent or resolved (client secrets, passwords, API keys, refresh tokens,
   * the credentials of an Authorization header). What reaches output or an error message is
   * redacted against it, so a server that echoes the request cannot make authctl print one.
   */
  secrets: Set<string>;
  /** The exit code the command's output implies. */
  exitCode: ExitCode;
  /** Set when a native keychain call never returned, so the edge must end the process itself. */
  stuck: boolean;
}

export function newRunState(): RunState {
  return { secrets: new Set(), exitCode: 0, stuck: false };
}

export function createDeps(io: IO, run: RunState, now: () => number = () => Math.floor(Date.now() / 1000)): Deps {
  const configs = new Map<string, Promise<ConfigStore>>();
  const deps: Deps = {
    io,
    now,
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    run,
    async config(globals, use = 'read') {
      const { configPath, loadConfig } = await import('./io/config-store.js');
      const path = configPath(globals.config, io.env, io.cwd);
      if (!configs.has(path)) configs.set(path, loadConfig(path));
      const store = await configs.get(path)!;
      if (globals.config !== undefined && !store.exists && use === 'read')
        throw new UsageError(
          'file_unreadable',
          `config file ${globals.config}: no such file`,
          'check --config or AUTHCTL_CONFIG; profile add creates the file',
        );
      return store;
    },
    async http(settings) {
      const { createHttpClient } = await import('./io/http.js');
      let trace: ((line: string) => void) | undefined;
      if (settings.verbose) {
        const redact = (await import('./core/redact.js')).secretRedactor(run.secrets);
        trace = (line) => diagnostic(io, line, redact);
      }
      return createHttpClient({ timeoutMs: settings.timeoutMs, ca: settings.ca, clientCert: settings.clientCert, env: io.env, trace });
    },
    async keystore(globals, choice) {
      const kind = choice ?? (await deps.config(globals)).config.credential_store ?? 'keychain';
      const { openFileStore, openOsKeychain, fileStorePath } = await import('./io/keychain.js');
      if (kind === 'file') {
        const path = fileStorePath(io.env);
        io.stderr.write(`authctl: warning: using the plaintext credential file ${path} (mode 0600), not the OS keychain\n`);
        return openFileStore(path);
      }
      return openOsKeychain(io.env.AUTHCTL_KEYCHAIN_SERVICE || 'authctl', () => {
        run.stuck = true;
      });
    },
    async tokenCache(globals, choice) {
      const mode = (await deps.config(globals)).config.token_cache ?? 'file';
      if (mode === 'off') return undefined;
      const { fileTokenCache, storeTokenCache } = await import('./io/token-cache.js');
      if (mode === 'keychain') return storeTokenCache(await deps.keystore(globals, choice));
      const { cacheDir } = await import('./io/paths.js');
      return fileTokenCache(cacheDir(io.env), globals.verbose ? (why) => diagnostic(io, `  ${why}`) : undefined);
    },
    async emit(output, globals) {
      const color = colorEnabled(globals.color, io.env, io.stdout);
      // Secrets are resolved before a command returns its output (a stream's too); with none, the
      // redaction code (and node:crypto with it) is never loaded.
      const redact = run.secrets.size ? (await import('./core/redact.js')).secretRedactor(run.secrets) : undefined;
      const jq = globals.jq === undefined ? undefined : await (await import('./io/jq.js')).loadJqFilter(globals.jq);
      run.exitCode = await writeOutput(output, io, { json: globals.json, jq, color, debug: globals.debug, redact });
    },
  };
  return deps;
}
