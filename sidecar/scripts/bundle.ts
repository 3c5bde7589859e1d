// The gateway as the image runs it: src/main.ts and its dependencies in one CommonJS file (I/O: writes the file).
// One file instead of ~260 ES modules is ~7 MiB less idle RSS per pod and a faster start; CommonJS because an ES
// module importing node:http reads every export of it, and its WebSocket getter loads undici (~10 MiB more).
// @redis/client stays outside: it is required from node_modules only when WS_REDIS_URL is set.
// Usage: node sidecar/scripts/bundle.ts [output file]   (default dist/ws-gateway/ws-gateway.cjs)
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { deferredBuiltins } from './deferred-builtins.ts';

const gatewayEntry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const defaultGatewayBundle = fileURLToPath(new URL('../../dist/ws-gateway/ws-gateway.cjs', import.meta.url));

/** Writes the bundle to `outfile` and returns its path. */
export async function bundleGateway(outfile: string = defaultGatewayBundle): Promise<string> {
  const result = await build({
    entryPoints: [gatewayEntry],
    outfile,
    write: false,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    external: ['@redis/client'],
    // The client side of ws (and prom-client's Pushgateway) is never used: https and tls load only if it were.
    plugins: [deferredBuiltins(['https', 'tls'])],
    // Not minified: stack traces in the logs keep their function names and readable lines.
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, asciiOnly(result.outputFiles[0]!.text));
  return outfile;
}

/**
 * V8 keeps a script's source for as long as it runs, and one non-ASCII character anywhere makes it two bytes per
 * character (~0.8 MiB more for this bundle). esbuild escapes non-ASCII in strings, templates and regular
 * expressions (charset: ascii) but keeps comments as written, so what is left is in comments, where an escape reads the same.
 */
export function asciiOnly(source: string): string {
  return source.replace(/\P{ASCII}/gu, (character) => `\\u{${character.codePointAt(0)!.toString(16)}}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await bundleGateway(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`ws-gateway bundle: ${written}`);
}
