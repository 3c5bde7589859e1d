// The hub over this process's connections only (no backplane). No I/O beyond the sockets it writes to.
import type { Connection } from '../connection/connection.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { buildConnectionList } from './connection-list.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { Hub } from './hub.ts';
import { selectTargets } from './targets.ts';

export function createLocalHub(registry: ConnectionRegistry<Connection>, metrics: GatewayMetrics): Hub {
  return {
    send(targets, frame) {
      const matched = selectTargets(registry, targets);
      let sent = 0;
      for (const connection of matched) if (connection.send(frame)) sent++;
      // Counted once per request rather than per socket: a broadcast to thousands stays cheap.
      metrics.messagesOut.inc(sent);
      metrics.bytesOut.inc(sent * frame.data.length);
      return Promise.resolve({ matched: matched.length, sent });
    },
    close(targets, cause) {
      const matched = selectTargets(registry, targets).filter((c) => !c.isClosing);
      for (const connection of matched) connection.close(cause);
      return Promise.resolve({ closed: matched.length });
    },
    list() {
      return Promise.resolve(buildConnectionList(registry.all()));
    },
  };
}
