// `npm run gateway -- --help`: every WS_* variable with its default and meaning, built from the config schema. Pure.
import { listSettings } from './config.ts';
import { ExitCode } from './exit-codes.ts';

/** The help text; `version` is the package version. */
export function buildGatewayHelp(version: string): string {
  const settings = listSettings();
  const rows = settings.map((setting) => ({
    name: setting.name,
    shown: setting.defaultText === undefined ? 'required' : setting.defaultText === '' ? '(empty)' : setting.defaultText,
    description: setting.description,
  }));
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const defaultWidth = Math.max('default'.length, ...rows.map((row) => row.shown.length));
  const line = (name: string, shown: string, description: string) => `  ${name.padEnd(nameWidth)}  ${shown.padEnd(defaultWidth)}  ${description}`.trimEnd();
  return [
    `ws-gateway ${version}: holds browser WebSockets and turns them into HTTP callbacks to the app.`,
    '',
    'Usage: WS_PORT=<app port> WS_URL=<callback path> [WS_…=…] npm run gateway',
    'Every setting is an environment variable; an empty value counts as unset (except WS_PORT and WS_URL).',
    '',
    line('variable', 'default', 'meaning'),
    ...rows.map((row) => line(row.name, row.shown, row.description)),
    '',
    `Exit codes: ${ExitCode.Ok} stopped, ${ExitCode.Failed} other failure, ${ExitCode.BadConfiguration} bad configuration, ` +
      `${ExitCode.AddressInUse} address in use, ${ExitCode.AddressNotAvailable} address not available (docs/exit-codes.md).`,
    '',
  ].join('\n');
}
