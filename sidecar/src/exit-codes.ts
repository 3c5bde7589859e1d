// The gateway's exit codes, one per start-up failure a user can fix, and the one-line message for each (docs/exit-codes.md). Pure.

export const ExitCode = {
  /** Stopped on SIGTERM/SIGINT, or --help. */
  Ok: 0,
  /** Anything not listed below (the message says what). */
  Failed: 1,
  /** A bad WS_* value or an unknown argument: one stderr line per bad variable. */
  BadConfiguration: 2,
  /** WS_GATEWAY_HOST:WS_GATEWAY_PORT is already taken by another process (EADDRINUSE). */
  AddressInUse: 3,
  /** WS_GATEWAY_HOST is not an address of this machine, or does not resolve (EADDRNOTAVAIL, ENOTFOUND). */
  AddressNotAvailable: 4,
} as const;

export interface StartupFailure {
  exitCode: number;
  /** One line, without the program prefix: the cause and what to do. */
  message: string;
}

/** Maps an error from listening on host:port to its exit code and a line naming the variables to change. */
export function describeListenFailure(error: unknown, host: string, port: number): StartupFailure {
  const code = errorCode(error);
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return {
        exitCode: ExitCode.AddressInUse,
        message: `cannot listen on ${where}: another process already listens there (EADDRINUSE); stop it, or set WS_GATEWAY_PORT to a free port (or WS_GATEWAY_HOST to another address)`,
      };
    case 'EADDRNOTAVAIL':
      return {
        exitCode: ExitCode.AddressNotAvailable,
        message: `cannot listen on ${where}: ${host} is not an address of this machine (EADDRNOTAVAIL); set WS_GATEWAY_HOST to one of its addresses, or 0.0.0.0 for all`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return {
        exitCode: ExitCode.AddressNotAvailable,
        message: `cannot listen on ${where}: WS_GATEWAY_HOST=${JSON.stringify(host)} does not resolve (${code}); set it to an address of this machine, or 0.0.0.0 for all`,
      };
    case 'EACCES':
      return {
        exitCode: ExitCode.Failed,
        message: `cannot listen on ${where}: permission denied (EACCES; ports below 1024 need privileges); set WS_GATEWAY_PORT to 1024 or above`,
      };
    default:
      return { exitCode: ExitCode.Failed, message: `cannot listen on ${where}: ${errorText(error)}` };
  }
}

/** Any other start-up error: one line, no stack trace. */
export function describeStartFailure(error: unknown): StartupFailure {
  return { exitCode: ExitCode.Failed, message: `could not start: ${errorText(error)}` };
}

/** The first `code` along the error and its causes (Node's system errors carry one). */
function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!;
}
