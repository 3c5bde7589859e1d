// The real operator process (`node operator/src/main.ts`) against the local cluster, under hostile HTTP bodies (F3):
// a 96 MiB chunked POST to the webhook gets 413 at 8 MiB and the operator's peak RSS (VmHWM from /proc) stays within
// a bound; a declared too-large Content-Length gets 413 without reading; a body that trickles gets 408; a POST to the
// health port is refused unread; a sampled gateway whose /stats answer never ends does not grow the operator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { KubeClient } from '../../operator/src/kube/api-client.ts';
import {
  condition, createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, OPERATOR_NAMESPACE,
  startTestCluster, uniqueName, type GatewayObject, type TestCluster,
} from './operator-env.ts';
import { spawnOperator, type OperatorProcess } from './operator-process.ts';
import { createChatDeployment, IDLE_APP_IMAGE } from './sampling-env.ts';

const HOSTILE_GATEWAY_IMAGE = 'tapr/ws-gateway:hostile';
const HOSTILE_GATEWAY_ENTRY = join(import.meta.dirname, 'fixtures', 'hostile-gateway.ts');
const IDLE_APP_ENTRY = join(import.meta.dirname, '..', 'cluster', 'fixtures', 'env-printer.ts');
const MiB = 1024 * 1024;
/** The webhook reads at most 8 MiB; everything above this over the idle peak would mean it buffered far more. */
const PEAK_GROWTH_BOUND = 48 * MiB;

let testCluster: TestCluster | undefined;
let api: KubeClient;
let operator: OperatorProcess;
let webhookUrl: string;
let healthUrl: string;
let caPem: string;

before(async () => {
  testCluster = await startTestCluster({
    images: {
      [HOSTILE_GATEWAY_IMAGE]: { command: [process.execPath, HOSTILE_GATEWAY_ENTRY] },
      [IDLE_APP_IMAGE]: { command: [process.execPath, IDLE_APP_ENTRY] },
    },
  });
  api = testCluster.api;
  operator = spawnOperator([
    '--namespace', OPERATOR_NAMESPACE, '--gateway-image', HOSTILE_GATEWAY_IMAGE, '--status-interval', '300ms',
    '--webhook-port', '0', '--health-host', '127.0.0.1', '--health-port', '0',
  ], { KUBECONFIG: testCluster.cluster.kubeconfigPath });
  const ready = await eventually('the "operator ready" line', () => {
    if (operator.child.exitCode !== null) throw new Error(`operator exited ${operator.child.exitCode}: ${operator.stderr()}`);
    return operator.logs.find((entry) => entry.msg === 'operator ready');
  }, 60_000);
  webhookUrl = String(ready.webhookUrl);
  healthUrl = String(ready.healthUrl);
  const configuration = await api.request<{ webhooks: { clientConfig: { caBundle: string } }[] }>({
    method: 'GET', path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/tapr-ws-operator',
  });
  caPem = Buffer.from(configuration.webhooks[0]!.clientConfig.caBundle, 'base64').toString('utf8');
});

after(async () => {
  if (operator !== undefined && operator.child.exitCode === null) {
    operator.child.kill('SIGKILL');
    await operator.exited;
  }
  await testCluster?.stop();
});

/** VmRSS and VmHWM (peak) of the operator process, in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)![1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

interface Answer { status: number; body: string; sentBytes: number; connectionHeader: string | undefined }

/** POSTs `totalBytes` of JSON-ish padding in 1 MiB chunks (chunked framing), stopping as soon as an answer arrives. */
async function postChunked(totalBytes: number): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const outgoing = request(webhookUrl, { method: 'POST', ca: caPem, agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8').on('data', (text: string) => { body += text; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentBytes, connectionHeader: res.headers.connection }));
      res.on('error', reject);
    });
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(MiB, 0x20);
    outgoing.write('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","pad":"');
    const pump = (): void => {
      while (!answered && !outgoing.destroyed && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
      if (!answered && !outgoing.destroyed) outgoing.end('"}');
    };
    pump();
  });
}

/** Sends the headers (and `sent` bytes of body) of a POST, then waits for the answer. */
async function postPartial(headers: Record<string, string>, sent: string): Promise<Answer & { elapsedMs: number }> {
  const started = Date.now();
  return await new Promise((resolve, reject) => {
    const outgoing = request(webhookUrl, { method: 'POST', ca: caPem, agent: false, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (text: string) => { body += text; });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, sentBytes: sent.length, connectionHeader: res.headers.connection, elapsedMs: Date.now() - started });
        outgoing.destroy();
      });
    });
    outgoing.on('error', reject);
    outgoing.flushHeaders();
    if (sent !== '') outgoing.write(sent);
  });
}

test('a 96 MiB chunked POST gets 413 at 8 MiB and the connection closes; the operator\'s peak RSS stays within 48 MiB of idle', async () => {
  const idle = await memoryOf(operator.child.pid!);
  const answer = await postChunked(96 * MiB);
  assert.equal(answer.status, 413, answer.body);
  assert.match(answer.body, /body: larger than 8388608 bytes/);
  assert.equal(answer.connectionHeader, 'close');
  assert.ok(answer.sentBytes < 96 * MiB, `the client stopped early (sent ${answer.sentBytes / MiB} MiB)`);
  const afterwards = await memoryOf(operator.child.pid!);
  const growth = afterwards.peak - idle.peak;
  process.stdout.write(`# webhook chunked 96 MiB: idle RSS ${(idle.rss / MiB).toFixed(0)} MiB, peak ${(idle.peak / MiB).toFixed(0)} → ${(afterwards.peak / MiB).toFixed(0)} MiB, sent ${(answer.sentBytes / MiB).toFixed(0)} MiB\n`);
  assert.ok(growth < PEAK_GROWTH_BOUND, `peak RSS grew ${(growth / MiB).toFixed(1)} MiB (bound ${PEAK_GROWTH_BOUND / MiB} MiB)`);
  // Still serving: the metrics answer and the webhook takes the next review.
  assert.equal((await fetch(`${healthUrl}/healthz`)).status, 200);
});

test('a declared Content-Length above 8 MiB gets 413 before any body byte; a body that trickles gets 408 after 10 s', async () => {
  const declared = await postPartial({ 'Content-Length': String(9 * MiB) }, '');
  assert.equal(declared.status, 413);
  assert.match(declared.body, /larger than 8388608 bytes/);
  assert.ok(declared.elapsedMs < 5000, `answered in ${declared.elapsedMs} ms`);
  const slow = await postPartial({ 'Content-Length': '1000' }, '{"apiVersion":');
  assert.equal(slow.status, 408, slow.body);
  assert.match(slow.body, /body: not received within 10000 ms/);
  assert.equal(slow.connectionHeader, 'close');
  assert.ok(slow.elapsedMs >= 9000 && slow.elapsedMs < 25_000, `answered after ${slow.elapsedMs} ms`);
});

/** Starts a POST declaring `declared` bytes, sends `sent` of them and holds the rest back; resolves once sent or answered. */
function holdPost(declared: number, sent: number): Promise<{ status: () => number | undefined; close: () => void }> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const outgoing = request(webhookUrl, { method: 'POST', ca: caPem, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(declared) } }, (res) => {
      status = res.statusCode;
      res.resume();
      resolve(handle);
    });
    const handle = { status: () => status, close: () => outgoing.destroy() };
    // Refused and closed by the server while sending: the answer (if any) was recorded above.
    outgoing.on('error', () => resolve(handle));
    outgoing.on('close', () => resolve(handle));
    const chunk = Buffer.alloc(MiB, 0x20);
    let written = 0;
    const pump = (): void => {
      while (status === undefined && !outgoing.destroyed && written < sent) {
        written += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', pump);
          return;
        }
      }
      resolve(handle);
    };
    pump();
  });
}

/** 24 bodies of 7 MiB buffered whole would be 168 MiB; the budget holds 4 of them (28 MiB) plus socket buffers and garbage. */
const CONCURRENT_GROWTH_BOUND = 96 * MiB;

test('24 bodies of 7 MiB read at once: the shared 32 MiB budget answers 503 to those past it; peak RSS stays within 96 MiB of idle', async () => {
  const idle = await memoryOf(operator.child.pid!);
  const held = await Promise.all(Array.from({ length: 24 }, () => holdPost(7.5 * MiB, 7 * MiB)));
  // Once the server has read what was sent, at most 4 bodies fit (plus one whose chunks are still arriving); this
  // settles well before the 10 s body deadline would answer the held ones with 408.
  const statuses = await eventually('the bodies past the budget answered', () => {
    const now = held.map((entry) => entry.status());
    return now.filter((status) => status === undefined).length <= 5 ? now : undefined;
  }, 8000).catch(() => held.map((entry) => entry.status()));
  const afterwards = await memoryOf(operator.child.pid!);
  for (const entry of held) entry.close();
  process.stdout.write(`# 24 x 7 MiB at once: answers ${JSON.stringify(statuses)}; peak ${(idle.peak / MiB).toFixed(0)} → ${(afterwards.peak / MiB).toFixed(0)} MiB\n`);
  assert.ok(statuses.filter((status) => status === 503).length >= 12, `503 for those past the budget: ${JSON.stringify(statuses)}`);
  assert.ok(statuses.every((status) => status === undefined || status === 503), JSON.stringify(statuses));
  const growth = afterwards.peak - idle.peak;
  assert.ok(growth < CONCURRENT_GROWTH_BOUND, `peak RSS grew ${(growth / MiB).toFixed(1)} MiB (bound ${CONCURRENT_GROWTH_BOUND / MiB} MiB)`);
});

test('a POST with a body to the health port is refused unread (405)', async () => {
  const response = await fetch(`${healthUrl}/metrics`, { method: 'POST', body: 'x'.repeat(MiB) });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, HEAD');
});

test('a sampled gateway whose /stats answer never ends is cut at 64 KiB: Ready=False names it and the operator does not grow', async () => {
  const namespace = uniqueName('hostile');
  await createNamespace(api, namespace);
  await createManifest(api, namespace, 'chat-manifest', manifestText({ url: '/ws/message', port: 8888 }));
  // The manifest must be in the webhook's cache before the pod is admitted.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await createChatDeployment(api, namespace, 'chat-manifest', 1);
  const notReady = await eventually('Ready=False naming the oversized /stats answer', async () => {
    const gateway = await getIfExists<GatewayObject>(api, gatewayPath(namespace, 'chat'));
    const ready = condition(gateway, 'Ready');
    return ready?.status === 'False' && /larger than 65536 bytes/.test(ready.message) ? ready : undefined;
  }, 60_000);
  assert.match(notReady.message, /GET \/stats: answer larger than 65536 bytes/);
  const first = await memoryOf(operator.child.pid!);
  // About 20 more rounds at 300 ms, each answered with an endless body.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const later = await memoryOf(operator.child.pid!);
  process.stdout.write(`# hostile /stats: RSS ${(first.rss / MiB).toFixed(0)} → ${(later.rss / MiB).toFixed(0)} MiB, peak ${(first.peak / MiB).toFixed(0)} → ${(later.peak / MiB).toFixed(0)} MiB\n`);
  assert.ok(later.peak - first.peak < 32 * MiB, `peak RSS grew ${((later.peak - first.peak) / MiB).toFixed(1)} MiB while sampling`);
  await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}` });
});
