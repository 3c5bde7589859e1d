// `npm run build -w client`: ES modules with types (dist/esm, dist/types) and the browser bundle dist/tapr-ws-client.js.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleBrowserClient, bundleFile } from './bundle.ts';

const clientDir = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: clientDir, stdio: 'inherit' });

const bundle = await bundleBrowserClient();
mkdirSync(dirname(bundleFile), { recursive: true });
writeFileSync(bundleFile, bundle);
console.log(`client: wrote ${bundleFile} (${(bundle.length / 1024).toFixed(1)} KiB, ${(gzipSync(bundle).length / 1024).toFixed(2)} KiB gzipped)`);
