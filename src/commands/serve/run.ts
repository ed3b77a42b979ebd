import type { Deps, GlobalOptions } from '../../deps.js';
import { startAuthServer } from '../../io/auth-server.js';
import { untilTerminated } from '../../io/streams.js';
import { renderTable, diagnostic } from '../../io/output.js';

export interface ServeFlags {
  host: string;
  port: number;
  settings?: string;
  key?: string[];
  alg: 'ES256' | 'RS256' | 'EdDSA';
}

/** Prints where it listens (one JSON document with --json), logs requests on stderr, runs until SIGTERM or Ctrl-C. */
export async function runServe(flags: ServeFlags, deps: Deps, globals: GlobalOptions): Promise<void> {
  const server = await startAuthServer(
    {
      host: flags.host,
      port: flags.port,
      settingsFile: flags.settings,
      keyFiles: flags.key,
      generatedAlg: flags.alg,
      log: (line) => diagnostic(deps.io, line),
    },
    deps.io,
  );
  const json = { issuer: server.issuer, endpoints: server.endpoints, development_defaults: server.defaults };
  await deps.emit(
    {
      json,
      text: (style) =>
        [
          `${style.green('✔')} authorization server at ${style.bold(server.issuer)}`,
          renderTable(
            Object.entries(server.endpoints).map(([name, url]) => [name, url] as const),
            style,
          ),
          server.defaults
            ? style.dim(
                `built-in development client "dev-client" and user "alice" (see authctl serve --help)\ntry: authctl profile add local --issuer ${server.issuer} --client-id dev-client`,
              )
            : '',
          style.dim('Ctrl-C to stop'),
        ]
          .filter(Boolean)
          .join('\n'),
    },
    globals,
  );
  await untilTerminated();
  await server.close();
}
