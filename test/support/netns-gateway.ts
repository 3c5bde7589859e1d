// A gateway process inside a private network namespace, so tests can reach it from a real non-loopback peer. I/O.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startGateway, type GatewayProcess } from './gateway-process.ts';
import { createNetns, type Netns } from './netns.ts';
import type { ProbeRequest, ProbeResult } from './netns-probe.ts';
import { FAST_ENV, stopGatewayHard } from './stack.ts';

/** Listens on 0.0.0.0 in the namespace; `WS_PORT` points at nothing (these tests look at handshakes and the control API). */
export async function namespaceWithGateway(t: TestContext, env: Record<string, string>): Promise<{ ns: Netns; gw: GatewayProcess }> {
  const ns = await createNetns();
  const started: { gw?: GatewayProcess } = {};
  t.after(async () => {
    if (started.gw) await stopGatewayHard(started.gw);
    await ns.remove();
  });
  const gw = await startGateway({ wrapper: ns.wrapper, env: { ...FAST_ENV, WS_PORT: '9', WS_URL: '/cb', WS_GATEWAY_HOST: '0.0.0.0', ...env } });
  started.gw = gw;
  return { ns, gw };
}

const probeScript = fileURLToPath(new URL('./netns-probe.ts', import.meta.url));

/** Runs the HTTP/upgrade requests from inside the namespace (a non-loopback peer of the gateway); results by name. */
export async function probeFromNamespace(ns: Netns, requests: ProbeRequest[]): Promise<Record<string, ProbeResult>> {
  const result = await ns.runNode([probeScript, JSON.stringify(requests)]);
  assert.equal(result.code, 0, `probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, ProbeResult>;
}
