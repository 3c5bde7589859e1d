// `npm run operator -- --help`: every flag with its env variables, default and meaning, built from the option table. Pure.
import { listOptionDocs } from './config.ts';
import { ExitCode } from './exit-codes.ts';

export function buildOperatorHelp(version: string): string {
  const options = listOptionDocs();
  const flagWidth = Math.max(...options.map((option) => option.flag.length + 2));
  const rows = options.flatMap((option) => [
    `  ${`--${option.flag}`.padEnd(flagWidth)}  ${option.help}`,
    `  ${''.padEnd(flagWidth)}  default: ${option.defaultText ?? '(unset)'}; env: ${option.env.join(', then ')}`,
  ]);
  return [
    `tapr-ws-operator ${version}: injects the ws-gateway sidecar into opted-in pods and reports WebSocketGateway status.`,
    '',
    'Usage: npm run operator -- [--flag value]...',
    'Every flag takes a value (--flag value or --flag=value); a flag wins over its environment variable.',
    '',
    ...rows,
    '',
    `Exit codes: ${ExitCode.Ok} stopped, ${ExitCode.Failed} other failure, ${ExitCode.BadConfiguration} bad configuration, ` +
      `${ExitCode.AddressInUse} address in use, ${ExitCode.AddressNotAvailable} address not available, ` +
      `${ExitCode.ApiServerUnreachable} API server unreachable, ${ExitCode.NamespaceMissing} namespace missing (docs/exit-codes.md).`,
    '',
  ].join('\n');
}
