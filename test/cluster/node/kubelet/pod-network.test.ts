// The pod network on this machine (needs root and iproute2): two pods side by side on the same ports, reachable from
// the host at their pod IPs, each with its own localhost, no route out of the /24, and nothing left after stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { hostGet } from './host-get.ts';
import { buildClusterNetwork } from '../../upstream/cluster-network.ts';
import { PodNetwork } from './pod-network.ts';
import { buildPodCommand, parseLinkNames, parseNetnsList } from './pod-network-names.ts';
import { leaseNetworkIndex } from '../../upstream/network-lease.ts';

const fixture = resolve(import.meta.dirname, '../../fixtures/net-probe.ts');

function inPod(netns: string, args: string[]): string[] {
  return buildPodCommand({ netns, argv: [process.execPath, fixture, ...args] });
}

function runInPod(netns: string, args: string[]): string {
  const [cmd, ...rest] = inPod(netns, args);
  try {
    return execFileSync(cmd!, rest, { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '').trim();
  }
}

function serve(netns: string, args: string[]): Promise<ChildProcess> {
  const [cmd, ...rest] = inPod(netns, args);
  const child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (d.includes('listening')) ok(child); });
    child.once('exit', (code) => fail(new Error(`server exited ${code}`)));
  });
}


function leftovers(index: number): string[] {
  const ns = parseNetnsList(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).filter((n) => n.startsWith(`tapr-${index}-`));
  const links = parseLinkNames(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).filter((n) => n.startsWith(`tapr${index}v`) || n === `taprbr${index}`);
  return [...ns, ...links];
}

test('two pods on the same ports, reachable at their IPs, own localhost, no route out, nothing left after stop', { timeout: 60_000 }, async (t) => {
  // A leased index, as clusters take theirs: nobody else uses it, and no cluster start sweeps its bridge away.
  const lease = await leaseNetworkIndex();
  t.after(() => lease.release());
  const network = buildClusterNetwork(lease.index);
  const net = await PodNetwork.start(network);
  const children: ChildProcess[] = [];
  try {
    const a = await net.attach('pod-a');
    const b = await net.attach('pod-b');
    assert.notEqual(a.podIP, b.podIP);
    for (const x of [a, b]) assert.ok(x.podIP.startsWith(network.hostIp.replace(/1$/, '')), x.podIP);
    children.push(await serve(a.netns, ['serve', 'a', '18080', '18081']), await serve(b.netns, ['serve', 'b', '18080', '18081']));

    assert.equal(await hostGet(a.podIP, 18081), 'a');
    assert.equal(await hostGet(b.podIP, 18081), 'b');
    await assert.rejects(hostGet(a.podIP, 18080), /ECONNREFUSED/, '127.0.0.1 inside a pod is not reachable from outside it');
    assert.equal(runInPod(a.netns, ['get', '127.0.0.1', '18080']), 'a', "pod a's localhost is its own");
    assert.equal(runInPod(b.netns, ['get', '127.0.0.1', '18080']), 'b', "pod b's localhost is its own");
    assert.equal(runInPod(a.netns, ['get', b.podIP, '18081']), 'b', 'pods reach each other');
    assert.equal(runInPod(a.netns, ['get', '127.0.0.1', '18082']), 'ECONNREFUSED');

    const routes = execFileSync('ip', ['-n', a.netns, 'route', 'show'], { encoding: 'utf8' }).trim();
    assert.doesNotMatch(routes, /default/);
    for (const outside of [network.kubernetesServiceIp, '203.0.113.1', '192.0.2.1']) {
      const started = Date.now();
      assert.equal(runInPod(a.netns, ['get', outside, '443']), 'ENETUNREACH', `${outside} must have no route`);
      assert.ok(Date.now() - started < 5000, 'fails at once, nothing is sent');
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    net.stop();
  }
  assert.deepEqual(leftovers(network.index), []);
});

test('a new run removes what a dead run with the same index left; a bridge it did not make stays', { timeout: 60_000 }, async (t) => {
  // A leased index, as clusters take theirs: nobody else uses it, and no cluster start sweeps its bridge away.
  const lease = await leaseNetworkIndex();
  t.after(() => lease.release());
  const network = buildClusterNetwork(lease.index);
  const first = await PodNetwork.start(network);
  const a = await first.attach('pod-a');
  const orphan = await serve(a.netns, ['serve', 'orphan', '18080', '18081']);
  // The first run "dies": its state is forgotten, the namespace, veth, bridge and process stay.
  assert.ok(leftovers(network.index).length >= 3);
  const second = await PodNetwork.start(network);
  const exited = await new Promise<boolean>((ok) => {
    if (orphan.exitCode !== null || orphan.signalCode !== null) ok(true);
    orphan.once('exit', () => ok(true));
    setTimeout(() => ok(false), 5000);
  });
  assert.ok(exited, 'the process left in the old namespace is killed');
  assert.deepEqual(leftovers(network.index).sort(), [network.bridgeName]);
  second.stop();
  assert.deepEqual(leftovers(network.index), [network.bridgeName], "the bridge was there before (as the control plane's is): it stays");
  execFileSync('ip', ['link', 'del', network.bridgeName]);
});

test('a process that exits without stop() leaves no namespace, veth or pod process behind', { timeout: 60_000 }, async (t) => {
  // A leased index, as clusters take theirs: nobody else uses it, and no cluster start sweeps its bridge away.
  const lease = await leaseNetworkIndex();
  t.after(() => lease.release());
  const network = buildClusterNetwork(lease.index);
  const script = `
    import { spawn } from 'node:child_process';
    import { PodNetwork } from ${JSON.stringify(resolve(import.meta.dirname, 'pod-network.ts'))};
    import { buildPodCommand } from ${JSON.stringify(resolve(import.meta.dirname, 'pod-network-names.ts'))};
    import { buildClusterNetwork } from ${JSON.stringify(resolve(import.meta.dirname, '../../upstream/cluster-network.ts'))};
    const net = await PodNetwork.start(buildClusterNetwork(${network.index}));
    const a = await net.attach('pod');
    const [cmd, ...args] = buildPodCommand({ netns: a.netns, argv: [process.execPath, ${JSON.stringify(fixture)}, 'serve', 'x', '18080', '18081'] });
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => { process.stdout.write(String(child.pid) + '\\n'); process.exit(0); });
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  const pid = Number(out.trim());
  assert.ok(pid > 0);
  await new Promise((r) => setTimeout(r, 200));
  // Gone, or a zombie waiting for whoever adopted it to reap it.
  const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] : 'gone';
  assert.ok(state === 'gone' || state === 'Z', `the process in the pod was killed on exit (state ${state})`);
  assert.deepEqual(leftovers(network.index), []);
});
