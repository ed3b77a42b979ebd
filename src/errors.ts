/**
 * One error hierarchy. Every expected failure is an AuthctlError with a stable string `code`
 * (what scripts match on) and the exit code from CLI.md. The edge (src/main.ts) is the only
 * place that turns them into a line on stderr and a process exit code.
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

export class AuthctlError extends Error {
  override readonly name: string = 'AuthctlError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Exit 2: the call itself is wrong (flags, arguments, unreadable file, malformed config). */
export class UsageError extends AuthctlError {
  override readonly name = 'UsageError';
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.usage, hint, options);
  }
}

/** Exit 1: the thing checked is bad (invalid token, failed verification). */
export class CheckFailedError extends AuthctlError {
  override readonly name = 'CheckFailedError';
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.checkFailed, hint, options);
  }
}

/** Exit 3: network or server trouble. */
export class NetworkError extends AuthctlError {
  override readonly name = 'NetworkError';
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.network, hint, options);
  }
}

/** Exit 4: a credential is missing, unavailable or refused. */
export class AuthError extends AuthctlError {
  override readonly name = 'AuthError';
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.auth, hint, options);
  }
}

export class InterruptedError extends AuthctlError {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted', 'interrupted', ExitCode.interrupted);
  }
}
