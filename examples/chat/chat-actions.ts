// The chat's control API calls through the app kit's client: its actions (send, close, subscribe, unsubscribe) and,
// at start, what the gateway already holds (connections, and the rooms' channels with their members). I/O.
// From source, so the example runs without a build; an app of its own imports '@tapr-ws/client/app'.
import type { ControlClient, SendTargets } from '../../client/src/app/index.ts';
import { roomChannel, type ChatAction, type ChatEvent, type SendTarget } from './chat-room.ts';
import { buildServerFrame } from './messages.ts';

function targetsOf(to: SendTarget): SendTargets {
  if ('users' in to) return { users: to.users };
  if ('connId' in to) return { conn_id: to.connId };
  return to.exceptConn === undefined ? { channels: [roomChannel(to.room)] } : { channels: [roomChannel(to.room)], except_conns: [to.exceptConn] };
}

/** One control API call; the inline reply is the callback's answer, not a call. */
export async function performAction(control: ControlClient, action: Exclude<ChatAction, { kind: 'reply' }>): Promise<void> {
  switch (action.kind) {
    case 'send': {
      const { event, data } = buildServerFrame(action.payload);
      await control.sendEvent(targetsOf(action.to), event, data);
      return;
    }
    case 'close':
      await control.close({ users: action.users });
      return;
    case 'subscribe':
    case 'unsubscribe':
      await control[action.kind]({ conn_id: action.connId, channels: [roomChannel(action.room)] });
      return;
  }
}

/** The resync event for a (re)started app: who is connected (`list`) and who is in which room, oldest member first. */
export async function readGatewayState(control: ControlClient): Promise<Extract<ChatEvent, { kind: 'resync' }>> {
  const listed = await control.list();
  const conns = listed.flatMap((u) => [...u.conns, ...u.public_conns].map((c) => ({ connId: c.id, user: u.name })));
  const prefix = roomChannel('');
  const rooms = await Promise.all((await control.channels(prefix)).map(async ({ channel }) => {
    const presence = await control.presence(channel);
    const members = presence.users.flatMap((user) => user.conns.map((conn) => ({ connId: conn.id, user: user.name, at: conn.connectedAt })));
    members.sort((a, b) => a.at.localeCompare(b.at));
    return { room: channel.slice(prefix.length), members: members.map(({ connId, user }) => ({ connId, user })) };
  }));
  return { kind: 'resync', conns, rooms };
}
