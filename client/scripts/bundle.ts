// The browser bundle (SPEC D): src/index.ts as one minified ES module with no imports. Shared by the build, the size
// test and pages that serve the library straight from source (the chat example, the browser tests).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const bundleEntry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
export const bundleFile = fileURLToPath(new URL('../dist/tapr-ws-client.js', import.meta.url));

/** The bundle's text, built in memory. */
export async function bundleBrowserClient(): Promise<string> {
  const result = await build({
    entryPoints: [bundleEntry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    write: false,
    legalComments: 'none',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no output for the browser bundle');
  return output.text;
}
