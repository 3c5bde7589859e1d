// `npm run demo`: the chat example on the local Kubernetes (demo-cluster.ts); `npm run demo -- --no-cluster` runs the
// gateway, the app and the login proxy as plain loopback processes instead (demo-local.ts). I/O.
//
//   npm run demo -- [--port 8080] [--replicas 2] [--no-redis] [--verbose]
//   npm run demo -- --no-cluster [--port 8080] [--gateway-port 40010] [--app-port 8888] [--verbose]
import { runClusterDemo } from './demo-cluster.ts';
import { runLocalDemo } from './demo-local.ts';

const args = process.argv.slice(2);
if (args.includes('--no-cluster')) await runLocalDemo(args.filter((arg) => arg !== '--no-cluster'));
else await runClusterDemo(args);
