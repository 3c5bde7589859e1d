// Script run inside a network namespace: performs the HTTP requests given as JSON in argv[2] and prints
// one JSON object {name: {status, body}} on stdout (status 0 with `error` when the request failed; 101 when an
// upgrade was accepted, its socket then closed at once). I/O.
import { request } from 'node:http';

export interface ProbeRequest {
  name: string;
  url: string;
  method?: string;
  /** An array value sends the header once per element. */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Source address to bind (e.g. 127.0.0.5 to come from elsewhere in 127/8). */
  localAddress?: string;
}

export interface ProbeResult {
  status: number;
  body: string;
  error?: string;
}

function probe(spec: ProbeRequest): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request(spec.url, { method: spec.method ?? 'GET', headers: spec.headers, localAddress: spec.localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, body: '', error: error.message }));
    req.end(spec.body);
  });
}

if (process.argv[2] !== undefined) {
  const specs = JSON.parse(process.argv[2]) as ProbeRequest[];
  const results: Record<string, ProbeResult> = {};
  for (const spec of specs) results[spec.name] = await probe(spec);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
