// Probes as the kubelet runs them: httpGet (2xx/3xx), tcpSocket (connect), exec (exit 0) against the pod IP, with
// initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold and failureThreshold.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { isJsonObject, toText, type JsonObject, type JsonValue } from './json-value.ts';

function num(v: JsonValue | undefined, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

/** A named container port → its number (probes may name ports). */
export function resolvePort(container: JsonObject, port: JsonValue | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  for (const p of Array.isArray(container.ports) ? container.ports.filter(isJsonObject) : []) {
    if (p.name === port && typeof p.containerPort === 'number') return p.containerPort;
  }
  return undefined;
}

/** `wrapExec`: how an exec probe's argv is run (inside the pod's namespaces); default: as is. */
export async function probeOnce(
  probe: JsonObject, container: JsonObject, podIP: string, env: Record<string, string>, wrapExec?: (argv: string[]) => string[],
): Promise<boolean> {
  const timeoutMs = num(probe.timeoutSeconds, 1) * 1000;
  if (isJsonObject(probe.httpGet)) {
    const g = probe.httpGet;
    const port = resolvePort(container, g.port);
    if (port === undefined) return false;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' };
    for (const h of Array.isArray(g.httpHeaders) ? g.httpHeaders.filter(isJsonObject) : []) headers[toText(h.name)] = toText(h.value);
    const https = g.scheme === 'HTTPS';
    return new Promise<boolean>((resolve) => {
      const req = (https ? httpsRequest : httpRequest)({
        host: typeof g.host === 'string' ? g.host : podIP, port, path: typeof g.path === 'string' ? g.path : '/', method: 'GET', headers,
        timeout: timeoutMs, rejectUnauthorized: false,
      }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end();
    });
  }
  if (isJsonObject(probe.tcpSocket)) {
    const port = resolvePort(container, probe.tcpSocket.port);
    if (port === undefined) return false;
    const host = typeof probe.tcpSocket.host === 'string' ? probe.tcpSocket.host : podIP;
    return new Promise<boolean>((resolve) => {
      const socket = connect({ host, port, timeout: timeoutMs });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('timeout', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(false));
    });
  }
  if (isJsonObject(probe.exec) && Array.isArray(probe.exec.command) && probe.exec.command.length > 0) {
    const argv = probe.exec.command.map(String);
    const [cmd, ...args] = wrapExec?.(argv) ?? argv;
    return new Promise<boolean>((resolve) => {
      const child = spawn(cmd!, args, { env, stdio: 'ignore', timeout: timeoutMs });
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
    });
  }
  return true; // grpc and empty probes are not run here (see README)
}

/** Runs a probe on its schedule; calls onResult with the thresholded result whenever it is decided. Returns stop(). */
export function runProbe(probe: JsonObject, check: () => Promise<boolean>, onResult: (ok: boolean) => void): () => void {
  const period = Math.max(1, num(probe.periodSeconds, 10)) * 1000;
  const successThreshold = Math.max(1, num(probe.successThreshold, 1));
  const failureThreshold = Math.max(1, num(probe.failureThreshold, 3));
  let successes = 0;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    const ok = await check();
    if (stopped) return;
    if (ok) {
      failures = 0;
      successes++;
      if (successes >= successThreshold) onResult(true);
    } else {
      successes = 0;
      failures++;
      if (failures >= failureThreshold) onResult(false);
    }
    if (!stopped) timer = setTimeout(() => { void tick(); }, period);
  };
  timer = setTimeout(() => { void tick(); }, num(probe.initialDelaySeconds, 0) * 1000);
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
