/**
 * One error table. Every expected failure is an AuthctlError whose stable string `code` (what
 * scripts match on) is declared once below, with its exit class from CLI.md and, where one
 * helps, a default hint. The constructors accept only codes of their own class, so a throw site
 * cannot invent a code or give one the wrong exit status. The edge (src/main.ts) is the only
 * place that turns errors into a line on stderr and a process exit code.
 */

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  network: 3,
  auth: 4,
  /** A bug in authctl (sysexits EX_SOFTWARE): the message asks for a report with --debug. */
  internal: 70,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

type ExitClass = 'usage' | 'network' | 'auth' | 'internal' | 'interrupted';

interface ErrorSpec {
  exit: ExitClass;
  /** Shown when the throw site gives no hint of its own. */
  hint?: string;
}

/** Every error code authctl reports (the finding codes of a failed check live in core/claims/types.ts). */
export const ERRORS = {
  // usage (exit 2): the call itself is wrong
  alg_key_mismatch: { exit: 'usage' },
  alg_required: { exit: 'usage' },
  baseline_invalid: { exit: 'usage', hint: 'write one with --write-baseline FILE' },
  address_in_use: { exit: 'usage', hint: 'pick another --port, or --port 0 for a free one' },
  config_invalid: { exit: 'usage' },
  conflicting_options: { exit: 'usage' },
  file_exists: { exit: 'usage', hint: 'use --force to overwrite it' },
  file_unreadable: { exit: 'usage' },
  file_unwritable: { exit: 'usage' },
  git_failed: { exit: 'usage' },
  input_too_large: { exit: 'usage' },
  invalid_argument: { exit: 'usage' },
  invalid_key: { exit: 'usage' },
  invalid_policy: { exit: 'usage' },
  issuer_required: { exit: 'usage' },
  listen_failed: { exit: 'usage' },
  missing_client_setting: { exit: 'usage' },
  missing_endpoint: { exit: 'usage' },
  missing_secret: { exit: 'usage' },
  missing_token: { exit: 'usage', hint: 'pass it as an argument, or pipe it in: echo "$TOKEN" | authctl decode' },
  not_a_terminal: { exit: 'usage' },
  output_failed: { exit: 'usage' },
  profile_exists: { exit: 'usage', hint: 'use --force to replace it' },
  profile_not_found: {
    exit: 'usage',
    hint: 'pass --profile NAME (or set AUTHCTL_PROFILE, or `authctl profile use NAME`); create one with `authctl profile add NAME`',
  },
  refused: { exit: 'usage' },
  settings_invalid: { exit: 'usage' },
  unsafe_bind: { exit: 'usage' },
  /** Node older than package.json's engines (bin/authctl.cjs says so before the bundle loads). */
  unsupported_runtime: { exit: 'usage' },
  /** A profile's token asked to go to an origin that is not the profile's own (core/origin.ts). */
  untrusted_origin: { exit: 'usage', hint: 'allow the origin with --allow-origin ORIGIN, or api_origins in the profile' },
  unsupported_alg: { exit: 'usage' },
  unsupported_key: { exit: 'usage' },
  weak_key: { exit: 'usage', hint: 'use a stronger key (authctl keygen), or --insecure for tests' },
  weak_secret: { exit: 'usage', hint: 'use a longer secret (authctl keygen --type oct), or --insecure for tests' },
  // commander's parse errors, as authctl codes (src/main.ts)
  unknown_option: { exit: 'usage', hint: 'see --help' },
  unknown_command: { exit: 'usage', hint: 'see authctl --help' },
  missing_argument: { exit: 'usage', hint: 'see --help' },
  option_missing_argument: { exit: 'usage', hint: 'see --help' },
  missing_mandatory_option_value: { exit: 'usage', hint: 'see --help' },
  excess_arguments: { exit: 'usage', hint: 'see --help' },
  invalid_option_argument: { exit: 'usage', hint: 'see --help' },
  // network or server (exit 3)
  discovery_failed: { exit: 'network' },
  http_error: { exit: 'network', hint: 'check the URL in the profile (authctl profile show)' },
  method_not_allowed: { exit: 'network', hint: 'check the URL in the profile (authctl profile show)' },
  not_found: { exit: 'network', hint: 'check the URL in the profile (authctl profile show)' },
  invalid_response: { exit: 'network' },
  network_error: { exit: 'network' },
  network_timeout: { exit: 'network', hint: 'raise --timeout, or check the server' },
  network_unreachable: { exit: 'network', hint: 'is the server running, and is the URL right?' },
  rate_limited: { exit: 'network', hint: 'raise --max-wait, or try again later' },
  redirect_refused: { exit: 'network', hint: 'use the final URL directly' },
  response_too_large: { exit: 'network' },
  server_error: { exit: 'network', hint: 'the server failed; try again later' },
  tls_error: { exit: 'network', hint: 'for a private CA, pass --cacert FILE' },
  // authentication (exit 4): a credential missing, unavailable or refused
  credential_missing: { exit: 'auth' },
  credential_not_found: { exit: 'auth' },
  keychain_unavailable: { exit: 'auth' },
  unauthorized: { exit: 'auth' },
  forbidden: { exit: 'auth', hint: 'check the credentials and what this client is allowed to do' },
  invalid_id_token: { exit: 'auth' },
  // OAuth errors a server may return (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 9449), passed on as they are
  invalid_request: { exit: 'auth', hint: 'check the profile: grant, client authentication, scope' },
  invalid_client: { exit: 'auth' },
  invalid_grant: { exit: 'auth' },
  unauthorized_client: { exit: 'auth' },
  unsupported_grant_type: { exit: 'auth', hint: 'check the profile: grant, client authentication, scope' },
  unsupported_token_type: { exit: 'auth' },
  invalid_scope: { exit: 'auth', hint: 'check the scope the profile asks for' },
  access_denied: { exit: 'auth' },
  expired_token: { exit: 'auth' },
  authorization_pending: { exit: 'auth' },
  slow_down: { exit: 'auth' },
  insufficient_scope: { exit: 'auth' },
  invalid_target: { exit: 'auth' },
  // RFC 9449 §5, §7.1, §8: a DPoP proof refused, a nonce asked for twice
  invalid_dpop_proof: { exit: 'auth', hint: 'the server refused the DPoP proof; with -v, see what was sent' },
  use_dpop_nonce: { exit: 'auth', hint: 'the server asked for a DPoP nonce again after one retry' },
  /** A server's error code outside the standard ones (it is named in the message). */
  oauth_error: { exit: 'auth', hint: 'check the profile: grant, client authentication, scope' },
  // the rest
  internal_error: { exit: 'internal', hint: 'please report it with the output of the same command run with --debug' },
  interrupted: { exit: 'interrupted' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
type CodesOf<C extends ExitClass> = { [K in ErrorCode]: (typeof ERRORS)[K]['exit'] extends C ? K : never }[ErrorCode];
export type UsageCode = CodesOf<'usage'>;
export type NetworkCode = CodesOf<'network'>;
export type AuthCode = CodesOf<'auth'>;

const EXIT: Record<ExitClass, ExitCode> = {
  usage: ExitCode.usage,
  network: ExitCode.network,
  auth: ExitCode.auth,
  internal: ExitCode.internal,
  interrupted: ExitCode.interrupted,
};

/** Whether a string is a declared error code (a server's OAuth code passes through only if it is). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code);
}

export class AuthctlError extends Error {
  override readonly name: string = 'AuthctlError';
  readonly hint?: string;
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.hint = hint ?? (isErrorCode(code) ? (ERRORS[code] as ErrorSpec).hint : undefined);
  }

  /** The error for a declared code, its exit status from the table. */
  static of(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }): AuthctlError {
    return new AuthctlError(code, message, EXIT[ERRORS[code].exit], hint, options);
  }
}

/** Exit 2: the call itself is wrong (flags, arguments, unreadable file, malformed config). */
export class UsageError extends AuthctlError {
  override readonly name = 'UsageError';
  constructor(code: UsageCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.usage, hint, options);
  }
}

/** Exit 1: the thing checked is bad (an invalid token); its code is a finding code. */
export class CheckFailedError extends AuthctlError {
  override readonly name = 'CheckFailedError';
  constructor(code: import('./core/claims/types.js').FindingCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.checkFailed, hint, options);
  }
}

/** Exit 3: network or server trouble. */
export class NetworkError extends AuthctlError {
  override readonly name = 'NetworkError';
  constructor(code: NetworkCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.network, hint, options);
  }
}

/** Exit 4: a credential is missing, unavailable or refused. */
export class AuthError extends AuthctlError {
  override readonly name = 'AuthError';
  constructor(code: AuthCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.auth, hint, options);
  }
}

export class InterruptedError extends AuthctlError {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted', 'interrupted', ExitCode.interrupted);
  }
}
