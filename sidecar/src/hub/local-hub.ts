// The hub over this process's connections only (no backplane). No I/O beyond the sockets it writes to.
import type { Connection } from '../connection/connection.ts';
import { encodeWireFrame } from '../connection/wire-frame.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { ChannelTally } from './channel-index.ts';
import { buildChannelList, buildPresence, type PresenceMember } from './channel-report.ts';
import { buildConnectionList } from './connection-list.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { Hub } from './hub.ts';
import { selectTargets } from './targets.ts';

/** The local hub, plus the raw per-process figures the backplane merges with other replicas'. */
export interface LocalHub extends Hub {
  channelTallies(prefix: string): ChannelTally[];
  /** `pod`: what each member reports as its pod (the backplane's replica id); none for a single process. */
  presenceMembers(channel: string, pod?: string): PresenceMember[];
}

export function createLocalHub(registry: ConnectionRegistry<Connection>, metrics: GatewayMetrics): LocalHub {
  const { channels } = registry;

  function presenceMembers(channel: string, pod?: string): PresenceMember[] {
    return [...channels.members(channel)].map(({ info }) => (pod === undefined
      ? { user: info.userName, connId: info.connId, connectedAt: info.connectedAt }
      : { user: info.userName, connId: info.connId, connectedAt: info.connectedAt, pod }));
  }

  return {
    send(targets, frame) {
      const matched = selectTargets(registry, targets);
      let sent = 0;
      // Encoded once, written as it is to every socket.
      const wire = matched.length > 0 ? encodeWireFrame(frame) : undefined;
      for (const connection of matched) if (connection.send(frame, wire)) sent++;
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
    subscribe(targets, wanted) {
      const matched = selectTargets(registry, targets);
      let subscribed = 0;
      let refused = 0;
      for (const connection of matched) {
        // A closing connection leaves its channels in a moment; joining now would only be undone.
        if (connection.isClosing) continue;
        for (const channel of wanted) {
          const outcome = channels.join(connection, channel);
          if (outcome === 'joined') subscribed++;
          else if (outcome === 'refused') refused++;
        }
      }
      return Promise.resolve({ matched: matched.length, subscribed, refused });
    },
    unsubscribe(targets, wanted) {
      const matched = selectTargets(registry, targets);
      let unsubscribed = 0;
      for (const connection of matched) {
        if (wanted === 'all') unsubscribed += channels.leaveAll(connection);
        else for (const channel of wanted) if (channels.leave(connection, channel)) unsubscribed++;
      }
      return Promise.resolve({ matched: matched.length, unsubscribed });
    },
    listChannels(prefix) {
      return Promise.resolve(buildChannelList([channels.tallies(prefix)]));
    },
    presence(channel) {
      return Promise.resolve(buildPresence(channel, presenceMembers(channel)));
    },
    channelTallies: (prefix) => channels.tallies(prefix),
    presenceMembers,
  };
}
