import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { durationArg } from './policy-flags.js';

/** Flags of every command that calls a provider endpoint. Secrets come from files or stdin, never values. */
export function endpointOptions() {
  return [
    new Option('--issuer <url>', 'fill missing endpoints from the issuer metadata (OpenID discovery, then RFC 8414)'),
    new Option('--timeout <duration>', 'per-request timeout (default 15s)').argParser(durationArg),
    new Option('--max-wait <duration>', 'total time to wait on 429/503 Retry-After (default 30s)').argParser(durationArg),
    new Option('--cacert <file>', 'extra trusted CA certificates (PEM)'),
    new Option('--client-cert <file>', 'client certificate (PEM) for mutual TLS, RFC 8705 (or tls_client_cert in the profile)'),
    new Option('--client-key <file>', 'private key (PEM) of --client-cert (or tls_client_key in the profile)'),
    new Option('--client-secret-file <file>', 'client secret (or webMethods API key) from a file'),
    new Option('--client-secret-stdin', 'client secret (or webMethods API key) from stdin'),
    new Option('--password-file <file>', 'resource owner password from a file (password grant)'),
    new Option('--password-stdin', 'resource owner password from stdin (password grant)'),
    new Option('--store <store>', 'credential store for secrets and the token cache').choices(['keychain', 'file'] as const),
  ];
}

export function collectResource(value: string, previous: string[] | undefined): string[] {
  try {
    new URL(value);
  } catch {
    throw new InvalidArgumentError('a resource indicator is an absolute URI (RFC 8707).');
  }
  return [...(previous ?? []), value];
}
