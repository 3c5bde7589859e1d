// The operator's exit codes, one per start-up failure an admin can fix, and the one-line message for each
// (docs/exit-codes.md; 2-4 mean the same as the gateway's). Pure.

export const ExitCode = {
  /** Stopped on SIGTERM/SIGINT, or --help. */
  Ok: 0,
  /** Anything not listed below (the message says what). */
  Failed: 1,
  /** A bad flag or variable, or an unusable kubeconfig: one stderr line per bad option. */
  BadConfiguration: 2,
  /** The health or webhook address is already taken by another process (EADDRINUSE). */
  AddressInUse: 3,
  /** The health or webhook host is not an address of this machine, or does not resolve (EADDRNOTAVAIL, ENOTFOUND). */
  AddressNotAvailable: 4,
  /** The API server did not answer GET /version (refused, timed out, TLS failure, DNS). */
  ApiServerUnreachable: 5,
  /** The operator's own namespace or a watched one does not exist. */
  NamespaceMissing: 6,
} as const;

export interface StartupFailure {
  exitCode: number;
  /** One line, without the program prefix: the cause and what to do. */
  message: string;
}

/** Which server failed to listen, and the options that set its address. */
export interface ListenSite {
  what: string;
  host: string;
  port: number;
  hostOption: string;
  portOption: string;
}

/** The failure for a listen error, or undefined when the error is not about the listen address. */
export function describeListenFailure(error: unknown, site: ListenSite): StartupFailure | undefined {
  const system = systemError(error);
  const code = system?.code;
  // Only this server's own listen (or the lookup of its host) counts: an API request failing the same way is not it.
  if (system === undefined || (system.syscall !== 'listen' && !(system.syscall === 'getaddrinfo' && system.hostname === site.host))) return undefined;
  const where = `the ${site.what} cannot listen on ${site.host}:${site.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return {
        exitCode: ExitCode.AddressInUse,
        message: `${where}: another process already listens there (EADDRINUSE); stop it, or pick a free port with ${site.portOption}`,
      };
    case 'EADDRNOTAVAIL':
      return {
        exitCode: ExitCode.AddressNotAvailable,
        message: `${where}: ${site.host} is not an address of this machine (EADDRNOTAVAIL); set ${site.hostOption} to one of its addresses, or 0.0.0.0 for all`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return {
        exitCode: ExitCode.AddressNotAvailable,
        message: `${where}: ${JSON.stringify(site.host)} does not resolve (${code}); set ${site.hostOption} to an address of this machine, or 0.0.0.0 for all`,
      };
    default:
      return undefined;
  }
}

/** GET /version failed: the server named by the kubeconfig is down, unreachable or not who it claims to be. */
export function describeApiServerUnreachable(error: unknown, server: string, source: string): StartupFailure {
  return {
    exitCode: ExitCode.ApiServerUnreachable,
    message: `cannot reach the API server at ${server} (from ${source}): ${errorText(error)}; check that the cluster is running and that the kubeconfig names it`,
  };
}

/** Namespaces that do not exist, with the option that named each. */
export function describeMissingNamespaces(missing: { name: string; option: string }[]): StartupFailure {
  const list = missing.map(({ name, option }) => `${JSON.stringify(name)} (${option})`).join(', ');
  return {
    exitCode: ExitCode.NamespaceMissing,
    message: `namespace${missing.length === 1 ? '' : 's'} ${list} do${missing.length === 1 ? 'es' : ''} not exist; create ${missing.length === 1 ? 'it' : 'them'} (kubectl create namespace …) or fix the option`,
  };
}

/** Any other start-up error: one line, no stack trace. */
export function describeStartFailure(error: unknown): StartupFailure {
  return { exitCode: ExitCode.Failed, message: `could not start: ${errorText(error)}` };
}

interface SystemError { code: string; syscall?: string; hostname?: string }

/** The first error along the error and its causes that carries a `code` (Node's system errors do). */
function systemError(error: unknown): SystemError | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const fields = current as { code?: unknown; syscall?: unknown; hostname?: unknown };
    if (typeof fields.code === 'string') {
      return {
        code: fields.code,
        ...(typeof fields.syscall === 'string' ? { syscall: fields.syscall } : {}),
        ...(typeof fields.hostname === 'string' ? { hostname: fields.hostname } : {}),
      };
    }
  }
  return undefined;
}

/** The error's message and its causes' on one line ("fetch failed: connect ECONNREFUSED …"). */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const text = (current instanceof Error ? current.message : typeof current === 'string' ? current : JSON.stringify(current)).split('\n')[0]!;
    if (text !== '' && !parts.includes(text)) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}
