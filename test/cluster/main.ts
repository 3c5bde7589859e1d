// CLI: `npm run cluster -- --dir <state-dir> [--port N] [--images <file>]` runs the local cluster in the foreground until SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startCluster } from './start-cluster.ts';

function usage(message: string): never {
  console.error(`${message}\nusage: npm run cluster -- --dir <state-dir> [--port N] [--images <image-map.yaml>]`);
  process.exit(2);
}

let args: { dir?: string; port?: string; images?: string };
try {
  args = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string' }, images: { type: 'string' } }, strict: true }).values;
} catch (err) {
  usage(err instanceof Error ? err.message : String(err));
}
if (args.dir === undefined || args.dir === '') usage('--dir: required');
const port = args.port === undefined ? 0 : Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port: expected an integer 0-65535, got "${args.port}"`);

let cluster;
try {
  cluster = await startCluster({
    dir: resolve(args.dir), port, faultProxy: false, log: (line) => console.error(line),
    ...(args.images === undefined ? {} : { images: resolve(args.images) }),
  });
} catch (err) {
  usage(err instanceof Error ? err.message : String(err));
}
console.log(`cluster ready: kubeconfig=${cluster.kubeconfigPath}`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  cluster.stop().then(() => process.exit(0), (err: unknown) => {
    console.error('cluster stop failed:', err);
    process.exit(1);
  });
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
