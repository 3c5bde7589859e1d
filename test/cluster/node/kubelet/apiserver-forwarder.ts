// The `kubernetes` Service as pods see it (I/O): a TCP forwarder on <hostIp>:443 to the API server on 127.0.0.1,
// since there is no kube-proxy to route the ClusterIP.
import { connect, createServer, type Server, type Socket } from 'node:net';

export async function startApiserverForwarder(o: { listenHost: string; listenPort: number; target: URL }): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect({ host: o.target.hostname, port: Number(o.target.port) });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => { inbound.destroy(); outbound.destroy(); });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listenPort, o.listenHost, () => { server.off('error', reject); resolve(); });
  });
  return {
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
