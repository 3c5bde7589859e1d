// The operator's start-up failures as a real process (docs/exit-codes.md): --help (0), every bad option at once (2), the
// health or webhook address in use (3), an address not on this machine (4), an unreachable API server (5), a missing
// namespace, its own or a watched one (6); each a stderr line naming the cause and what to do, no stack trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOptionDocs } from '../../operator/src/config.ts';
import { ExitCode } from '../../operator/src/exit-codes.ts';
import { createNamespace, OPERATOR_NAMESPACE, startTestCluster, uniqueName, type TestCluster } from './operator-env.ts';
import { spawnOperator } from './operator-process.ts';

const LOCAL = ['--health-host', '127.0.0.1', '--health-port', '0', '--webhook-port', '0'];

let dir: string;
/** A kubeconfig whose server is a port nobody listens on. */
let deadKubeconfig: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapr-operator-startup-'));
  const closed = await listenOn(0);
  const { port } = closed.address() as AddressInfo;
  await close(closed);
  deadKubeconfig = join(dir, 'kubeconfig');
  await writeFile(deadKubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: c, cluster: {server: "https://127.0.0.1:' + String(port) + '", insecure-skip-tls-verify: true}}]',
    'users: [{name: u, user: {token: abc}}]',
    'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', '',
  ].join('\n'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listenOn(port: number): Promise<Server> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function close(server: Server): Promise<void> {
  await new Promise((resolve) => server.close(resolve));
}

/** Runs the operator until it exits by itself; returns its code and the stderr lines. */
async function runToExit(args: string[], env: Record<string, string>): Promise<{ code: number | null; lines: string[]; stdout: string }> {
  const operator = spawnOperator(args, env);
  const timer = setTimeout(() => operator.child.kill('SIGKILL'), 60_000);
  try {
    const code = await operator.exited;
    const stderr = operator.stderr();
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    return { code, lines: stderr.trimEnd().split('\n'), stdout: operator.logs.map((entry) => String(entry.msg)).join('\n') };
  } finally {
    clearTimeout(timer);
  }
}

describe('without a cluster', { concurrency: 3 }, () => {
  test('--help lists every option with its env variables, default and meaning; exit 0', async () => {
    const operator = spawnOperator(['--help']);
    assert.equal(await operator.exited, ExitCode.Ok, operator.stderr());
    assert.equal(operator.stderr(), '');
    const text = operator.logs.map((entry) => String(entry.msg)).join('\n');
    for (const option of listOptionDocs()) {
      assert.ok(option.help.length > 0, `--${option.flag} has a help line in the option table`);
      assert.ok(text.includes(`--${option.flag} `), `--${option.flag} is listed`);
      assert.ok(text.includes(option.help), `--${option.flag}: ${option.help}`);
      assert.ok(text.includes(`default: ${option.defaultText ?? '(unset)'}; env: ${option.env.join(', then ')}`), `--${option.flag} default and env`);
    }
    assert.match(text, /default: 10s; env: OPERATOR_STATUS_INTERVAL/);
  });

  test('an unknown flag still exits 2, pointing at --help', async () => {
    const result = await runToExit(['--bogus'], { KUBECONFIG: deadKubeconfig });
    assert.equal(result.code, ExitCode.BadConfiguration);
    assert.deepEqual(result.lines, ['tapr-ws-operator: invalid configuration: unknown flag --bogus (--help lists every option)']);
  });

  test('every bad option is reported at once, one line each, exit 2', async () => {
    const result = await runToExit(['--health-port', 'x', '--native-sidecars', 'maybe'], { KUBECONFIG: deadKubeconfig, OPERATOR_LOG_LEVEL: 'loud' });
    assert.equal(result.code, ExitCode.BadConfiguration);
    assert.deepEqual(result.lines, [
      'tapr-ws-operator: invalid configuration: --native-sidecars="maybe" is invalid: expected auto, on or off',
      'tapr-ws-operator: invalid configuration: OPERATOR_LOG_LEVEL="loud" is invalid: expected debug, info, warn or error',
      'tapr-ws-operator: invalid configuration: --health-port="x" is invalid: expected an integer from 0 to 65535',
    ]);
  });

  test('the health port in use exits 3 naming --health-port', async () => {
    const taken = await listenOn(0);
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runToExit(['--health-host', '127.0.0.1', '--health-port', String(port)], { KUBECONFIG: deadKubeconfig });
      assert.equal(result.code, ExitCode.AddressInUse);
      assert.equal(result.lines.length, 1, result.lines.join('\n'));
      assert.match(result.lines[0]!, new RegExp(`^tapr-ws-operator: the health server cannot listen on 127\\.0\\.0\\.1:${port}: another process already listens there \\(EADDRINUSE\\); stop it, or pick a free port with --health-port$`));
    } finally {
      await close(taken);
    }
  });

  test('a health host that is not this machine\'s exits 4 naming --health-host', async () => {
    const result = await runToExit(['--health-host', '192.0.2.1', '--health-port', '0'], { KUBECONFIG: deadKubeconfig });
    assert.equal(result.code, ExitCode.AddressNotAvailable);
    assert.deepEqual(result.lines, [
      'tapr-ws-operator: the health server cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine (EADDRNOTAVAIL); set --health-host to one of its addresses, or 0.0.0.0 for all',
    ]);
  });

  test('an API server nobody answers for exits 5 naming the server and the kubeconfig', async () => {
    const result = await runToExit(LOCAL, { KUBECONFIG: deadKubeconfig });
    assert.equal(result.code, ExitCode.ApiServerUnreachable);
    assert.equal(result.lines.length, 1, result.lines.join('\n'));
    assert.match(result.lines[0]!, /^tapr-ws-operator: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(from .*kubeconfig\): .*ECONNREFUSED.*; check that the cluster is running and that the kubeconfig names it$/);
  });
});

describe('on the local cluster', () => {
  let testCluster: TestCluster | undefined;
  let kubeconfig: string;

  before(async () => {
    testCluster = await startTestCluster({ images: false });
    kubeconfig = testCluster.cluster.kubeconfigPath;
  });

  after(async () => {
    await testCluster?.stop();
  });

  test('its own namespace missing exits 6 naming it and --namespace', async () => {
    const missing = uniqueName('nowhere');
    const result = await runToExit([...LOCAL, '--namespace', missing], { KUBECONFIG: kubeconfig });
    assert.equal(result.code, ExitCode.NamespaceMissing);
    assert.deepEqual(result.lines, [`tapr-ws-operator: namespace "${missing}" (--namespace) does not exist; create it (kubectl create namespace …) or fix the option`]);
  });

  test('a watched namespace missing exits 6 naming every missing one and --watch-namespaces', async () => {
    const present = uniqueName('team');
    await createNamespace(testCluster!.api, present);
    const [a, b] = [uniqueName('gone'), uniqueName('gone')];
    const result = await runToExit([...LOCAL, '--namespace', OPERATOR_NAMESPACE, '--watch-namespaces', `${present},${a},${b}`], { KUBECONFIG: kubeconfig });
    assert.equal(result.code, ExitCode.NamespaceMissing);
    assert.deepEqual(result.lines, [
      `tapr-ws-operator: namespaces "${a}" (--watch-namespaces), "${b}" (--watch-namespaces) do not exist; create them (kubectl create namespace …) or fix the option`,
    ]);
  });

  test('the webhook port in use exits 3 naming --webhook-port', async () => {
    const taken = await listenOn(0);
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runToExit(['--health-host', '127.0.0.1', '--health-port', '0', '--webhook-port', String(port), '--leader-election', 'off', '--namespace', OPERATOR_NAMESPACE], { KUBECONFIG: kubeconfig });
      assert.equal(result.code, ExitCode.AddressInUse, result.lines.join('\n'));
      assert.equal(result.lines.length, 1, result.lines.join('\n'));
      assert.match(result.lines[0]!, new RegExp(`^tapr-ws-operator: the webhook cannot listen on 127\\.0\\.0\\.1:${port}: another process already listens there \\(EADDRINUSE\\); stop it, or pick a free port with --webhook-port$`));
    } finally {
      await close(taken);
    }
  });
});
