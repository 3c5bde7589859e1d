// The gateway as the image runs it: src/main.ts and its dependencies in one CommonJS file (I/O: writes the file).
// One file instead of ~260 ES modules is ~7 MiB less idle RSS per pod and a faster start; CommonJS because an ES
// module importing node:http reads every export of it, and its WebSocket getter loads undici (~10 MiB more).
// @redis/client stays outside: it is required from node_modules only when WS_REDIS_URL is set.
// Usage: node sidecar/scripts/bundle.ts [output file]   (default dist/ws-gateway/ws-gateway.cjs)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const gatewayEntry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const defaultGatewayBundle = fileURLToPath(new URL('../../dist/ws-gateway/ws-gateway.cjs', import.meta.url));

/** Writes the bundle to `outfile` and returns its path. */
export async function bundleGateway(outfile: string = defaultGatewayBundle): Promise<string> {
  await build({
    entryPoints: [gatewayEntry],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    external: ['@redis/client'],
    // Not minified: stack traces in the logs keep their function names and readable lines.
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await bundleGateway(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`ws-gateway bundle: ${written}`);
}
