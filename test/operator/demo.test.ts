// `npm run demo` as a newcomer runs it: the full stack on the local cluster (CRD, operator, Redis, the chat app as a
// 2-replica Deployment with injected gateways, the login proxy). Two users chat across the two pods, the printed
// `kubectl get wsgw -A` counts their connections, and SIGTERM leaves no process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { createInterface } from 'node:readline';
import { createApiClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigFile } from '../../operator/src/kube/cluster-connection.ts';
import { connect, type RecordingClient } from '../support/ws-client.ts';
import { chatMessage, readChatFrame } from '../support/chat-frames.ts';

const REPO = new URL('../..', import.meta.url).pathname;

type Json = Record<string, unknown>;

interface PodObject {
  metadata: { name: string };
  status?: { podIP?: string; containerStatuses?: { containerID?: string }[]; initContainerStatuses?: { containerID?: string }[] };
}

interface GatewayStatus {
  status?: { connections?: number; pods?: { name: string; connections?: number }[] };
}

/** Collects stdout lines and resolves waiters when a line matches. */
function lineWatcher(lines: string[]) {
  const waiters = new Set<() => void>();
  return {
    push(line: string) {
      lines.push(line);
      for (const wake of waiters) wake();
    },
    waitFor(pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        let from = 0;
        const check = () => {
          for (; from < lines.length; from++) {
            const match = pattern.exec(lines[from]!);
            if (match) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(match);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs / 1000} s; output:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

function frames(client: RecordingClient): Json[] {
  return client.received.filter((f): f is string => typeof f === 'string').map((f) => readChatFrame(f));
}

function waitForJson(client: RecordingClient, predicate: (m: Json) => boolean, what: string, timeoutMs = 20_000): Promise<Json> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = frames(client).find(predicate);
      if (!found) return;
      client.socket.off('message', check);
      clearTimeout(timer);
      resolve(found);
    };
    const timer = setTimeout(() => {
      client.socket.off('message', check);
      reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames(client))}`));
    }, timeoutMs);
    client.socket.on('message', check);
    check();
  });
}

/** Sends a room line until the listener gets it (at most 10 tries, 1 s apart). */
async function sayUntilHeard(speaker: RecordingClient, listener: RecordingClient, from: string, text: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    speaker.send(chatMessage('say', { text }));
    try {
      await waitForJson(listener, (m) => m.type === 'said' && m.from === from && m.text === text, `${from}'s line`, 1000);
      return;
    } catch (error) {
      if (attempt === 10) throw error;
    }
  }
}

async function login(url: string, name: string): Promise<string> {
  const response = await fetch(`${url}login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name }).toString(),
    redirect: 'manual',
  });
  assert.equal(response.status, 303, `login as ${name}`);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, host);
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('npm run demo: two users chat across two injected pods, wsgw counts 2 connections, SIGTERM leaves nothing running', { timeout: 240_000 }, async (t) => {
  // Its own process group, as in a terminal: npm does not pass a SIGTERM sent to npm alone on to the script, while a
  // signal to the group (Ctrl-C, `kill -TERM -<pgid>`) reaches both; npm then ends by the same signal.
  const child = spawn('npm', ['run', 'demo', '--', '--port', '0'], {
    cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals) => { try { process.kill(-child.pid!, signal); } catch { /* already gone */ } };
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines: string[] = [];
  const output = lineWatcher(lines);
  createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => output.push(`stderr: ${line}`));
  const clients: RecordingClient[] = [];
  t.after(async () => {
    for (const c of clients) c.socket.terminate();
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup('SIGTERM');
      await exited;
    }
  });

  const [, url] = await output.waitFor(/^demo ready: open (http:\/\/127\.0\.0\.1:\d+\/) /, '"demo ready" line', 180_000);
  const [, kubeconfigPath] = await output.waitFor(/^demo: kubeconfig (\S+)$/, 'kubeconfig line', 5000);
  await output.waitFor(new RegExp(`^demo: see it yourself: KUBECONFIG=${kubeconfigPath!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} kubectl get wsgw -A$`), 'the kubectl command', 5000);

  // What a user would do with the printed kubeconfig.
  const api = createApiClient(await connectWithKubeconfigFile(kubeconfigPath!));
  t.after(() => api.close());
  const pods = (await api.request<{ items: PodObject[] }>({ method: 'GET', path: '/api/v1/namespaces/chat-demo/pods' })).items;
  assert.equal(pods.length, 2, 'the Deployment runs 2 replicas');
  const podIps = pods.map((pod) => pod.status?.podIP ?? '');
  const pids = pods.flatMap((pod) => [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])])
    .map((s) => Number(/^local:\/\/(\d+)$/.exec(s.containerID ?? '')?.[1]));
  assert.equal(pids.length, 4, 'an app and a gateway process per pod');
  const redisSecret = await api.request<{ data: { url: string } }>({ method: 'GET', path: '/api/v1/namespaces/chat-demo/secrets/chat-redis' });
  const redisPort = Number(new URL(Buffer.from(redisSecret.data.url, 'base64').toString('utf8')).port);

  const wsUrl = `${url!.replace('http:', 'ws:')}ws`;
  const alice = await connect(wsUrl, { headers: { cookie: await login(url!, 'alice') } });
  clients.push(alice);
  const bob = await connect(wsUrl, { headers: { cookie: await login(url!, 'bob') } });
  clients.push(bob);
  for (const [client, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
    await waitForJson(client, (m) => m.type === 'welcome' && m.user === name, `${name}'s welcome`);
    client.send(chatMessage('join', { room: 'lobby' }));
    await waitForJson(client, (m) => m.type === 'room' && (m.room as Json).name === 'lobby' && ((m.room as Json).members as string[]).includes(name), `${name} in #lobby`);
  }
  // bob joined on the other pod; alice's pod hears of it through the app's Redis relay a moment later (the replicas
  // converge, they are not in lock step). So alice says her line until it reaches bob, a few times at most.
  await waitForJson(alice, (m) => m.type === 'room' && ((m.room as Json).members as string[]).includes('bob'), 'alice seeing bob join');
  await sayUntilHeard(alice, bob, 'alice', 'hello from alice');
  await sayUntilHeard(bob, alice, 'bob', 'hi alice');

  // The printed table (the CRD's own columns, from the API server) counts both connections.
  await output.waitFor(/^chat-demo\s+chat\s+chat\s+8888\s+\/ws\/message\s+2\/2\s+2\s+2\s+\S+$/, 'a wsgw row with Ready 2/2, 2 connections and 2 users', 30_000);
  assert.ok(lines.some((line) => /^NAMESPACE\s+NAME\s+DEPLOYMENT\s+PORT\s+URL\s+READY\s+CONNECTIONS\s+USERS\s+AGE$/.test(line)), 'kubectl-like header');
  // One connection on each pod: the two tabs really chat across replicas.
  const gateway = await api.request<GatewayStatus>({ method: 'GET', path: '/apis/tapr.io/v1alpha1/namespaces/chat-demo/websocketgateways/chat' });
  assert.deepEqual(gateway.status?.pods?.map((pod) => pod.connections), [1, 1]);
  // Both apps listen on 127.0.0.1:8888 of their own pod, as Olares apps do: reachable by their gateways, not from here.
  for (const ip of podIps) {
    assert.equal(await accepts(ip, 40010), true, `the gateway listens on ${ip}:40010`);
    assert.equal(await accepts(ip, 8888), false, `the app on ${ip} is its pod's alone`);
  }

  signalGroup('SIGTERM');
  const [code, signal] = await exited;
  assert.ok(code === 0 || signal === 'SIGTERM', `npm ended with ${code ?? signal}`);
  // The demo prints this right before process.exit(0), after stopping the proxy, the operator, the cluster and Redis.
  await output.waitFor(/^demo: stopped$/, '"demo: stopped" (its clean exit)', 30_000);
  for (const pid of pids) assert.equal(isRunning(pid), false, `pod process ${pid} is gone`);
  for (const ip of podIps) {
    assert.equal(await accepts(ip, 40010), false, `nothing listens on ${ip}:40010`);
    assert.equal(await accepts(ip, 8888), false, `nothing listens on ${ip}:8888`);
  }
  assert.equal(await accepts('127.0.0.1', redisPort), false, 'redis-server is stopped');
  const leftover = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(kubeconfigPath!));
  assert.deepEqual(leftover, [], 'no operator process left');
});
