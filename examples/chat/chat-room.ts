// The chat's state machine: (state, gateway callback) → (new state, control API calls to make). Pure.
//
// Membership is per user, not per connection: every tab of a user is in the same room. That lets one
// control API call reach a whole room (`send` with `users: [...members]`): the API's `conn_id` target
// names a single connection, so per-connection rooms would cost one call per member per line.
import { parseClientMessage, type RoomView, type ServerMessage } from './messages.ts';

export interface ChatState {
  /** Open connections: conn_id → user name. */
  readonly conns: ReadonlyMap<string, string>;
  /** Rooms: name → members in join order; the first one is the owner. Empty rooms are removed. */
  readonly rooms: ReadonlyMap<string, readonly string[]>;
  /** user → the room they are in. */
  readonly roomOf: ReadonlyMap<string, string>;
}

/** A gateway callback, already validated, reduced to what the chat needs. */
export type ChatEvent =
  | { kind: 'open'; connId: string; user: string }
  | { kind: 'message'; connId: string; user: string; data: unknown }
  | { kind: 'close'; connId: string; user: string }
  /** Connections the gateway already holds when the app starts (from `GET /tapr/ws/conn/list`). */
  | { kind: 'resync'; conns: { connId: string; user: string }[] };

export type SendTarget = { users: string[] } | { connId: string };

/** One control API call: `send` → POST /tapr/ws/conn/send, `close` → POST /tapr/ws/conn/close. */
export type ChatAction =
  | { kind: 'send'; to: SendTarget; payload: ServerMessage }
  | { kind: 'close'; users: string[] };

export interface Reduction {
  state: ChatState;
  actions: ChatAction[];
}

/** The user allowed to kick anyone, in any room. */
export const ADMIN_USER = 'admin';

export const emptyChatState: ChatState = { conns: new Map(), rooms: new Map(), roomOf: new Map() };

export function onlineUsers(state: ChatState): string[] {
  return [...new Set(state.conns.values())].sort();
}

function isOnline(state: ChatState, user: string): boolean {
  for (const name of state.conns.values()) if (name === user) return true;
  return false;
}

function roomView(state: ChatState, name: string): RoomView | null {
  const members = state.rooms.get(name);
  if (!members || members.length === 0) return null;
  return { name, members: [...members], owner: members[0]! };
}

function toConn(connId: string, payload: ServerMessage): ChatAction {
  return { kind: 'send', to: { connId }, payload };
}

function toUsers(users: readonly string[], payload: ServerMessage): ChatAction[] {
  return users.length === 0 ? [] : [{ kind: 'send', to: { users: [...users] }, payload }];
}

function error(connId: string, message: string): Reduction['actions'] {
  return [toConn(connId, { type: 'error', message })];
}

/** Removes `user` from their room; tells the remaining members. */
function leaveRoom(state: ChatState, user: string): Reduction {
  const room = state.roomOf.get(user);
  if (room === undefined) return { state, actions: [] };
  const members = (state.rooms.get(room) ?? []).filter((m) => m !== user);
  const rooms = new Map(state.rooms);
  if (members.length === 0) rooms.delete(room);
  else rooms.set(room, members);
  const roomOf = new Map(state.roomOf);
  roomOf.delete(user);
  const next = { ...state, rooms, roomOf };
  const view = roomView(next, room);
  return { state: next, actions: view ? toUsers(members, { type: 'room', room: view, left: user }) : [] };
}

function onOpen(state: ChatState, connId: string, user: string): Reduction {
  if (user === '') {
    return { state, actions: error(connId, 'anonymous connections cannot chat: log in first') };
  }
  const wasOnline = isOnline(state, user);
  const conns = new Map(state.conns);
  conns.set(connId, user);
  const next = { ...state, conns };
  const online = onlineUsers(next);
  const room = next.roomOf.get(user);
  const actions: ChatAction[] = [
    toConn(connId, { type: 'welcome', user, online, room: room === undefined ? null : roomView(next, room) }),
  ];
  if (!wasOnline) actions.push(...toUsers(online.filter((u) => u !== user), { type: 'presence', online }));
  return { state: next, actions };
}

function onClose(state: ChatState, connId: string): Reduction {
  const user = state.conns.get(connId);
  if (user === undefined) return { state, actions: [] };
  const conns = new Map(state.conns);
  conns.delete(connId);
  const afterClose = { ...state, conns };
  if (isOnline(afterClose, user)) return { state: afterClose, actions: [] };
  const left = leaveRoom(afterClose, user);
  const online = onlineUsers(left.state);
  return { state: left.state, actions: [...left.actions, ...toUsers(online, { type: 'presence', online })] };
}

function onJoin(state: ChatState, connId: string, user: string, room: string): Reduction {
  if (state.roomOf.get(user) === room) {
    return { state, actions: [toConn(connId, { type: 'room', room: roomView(state, room)! })] };
  }
  const left = leaveRoom(state, user);
  const members = [...(left.state.rooms.get(room) ?? []), user];
  const rooms = new Map(left.state.rooms);
  rooms.set(room, members);
  const roomOf = new Map(left.state.roomOf);
  roomOf.set(user, room);
  const next = { ...left.state, rooms, roomOf };
  return { state: next, actions: [...left.actions, ...toUsers(members, { type: 'room', room: roomView(next, room)!, joined: user })] };
}

function mayKick(state: ChatState, kicker: string, target: string): boolean {
  if (kicker === ADMIN_USER) return true;
  const room = state.roomOf.get(kicker);
  return room !== undefined && state.rooms.get(room)?.[0] === kicker && state.roomOf.get(target) === room;
}

function onMessage(state: ChatState, connId: string, user: string, data: unknown): Reduction {
  if (!state.conns.has(connId)) {
    // A connection the app has not seen open (e.g. the app restarted): adopt it, then handle the message.
    const opened = onOpen(state, connId, user);
    if (user === '') return opened;
    const handled = onMessage(opened.state, connId, user, data);
    return { state: handled.state, actions: [...opened.actions, ...handled.actions] };
  }
  const parsed = parseClientMessage(data);
  if (!parsed.ok) return { state, actions: error(connId, parsed.error) };
  const message = parsed.message;
  switch (message.type) {
    case 'join':
      return onJoin(state, connId, user, message.room);
    case 'say': {
      const room = state.roomOf.get(user);
      if (room === undefined) return { state, actions: error(connId, 'join a room first') };
      const members = state.rooms.get(room) ?? [];
      return { state, actions: toUsers(members, { type: 'said', room, from: user, text: message.text }) };
    }
    case 'dm': {
      if (!isOnline(state, message.to)) return { state, actions: error(connId, `${message.to} is not online`) };
      const dm: ServerMessage = { type: 'dm', from: user, to: message.to, text: message.text };
      // The target gets it on every tab; the sending tab gets an echo (a DM to oneself needs none).
      const actions = toUsers([message.to], dm);
      if (message.to !== user) actions.push(toConn(connId, dm));
      return { state, actions };
    }
    case 'kick': {
      if (message.user === user) return { state, actions: error(connId, 'you cannot kick yourself') };
      if (!isOnline(state, message.user)) return { state, actions: error(connId, `${message.user} is not online`) };
      if (!mayKick(state, user, message.user)) {
        return { state, actions: error(connId, `only "${ADMIN_USER}" or the room's owner (its first member) can kick, and only members of that room`) };
      }
      // State changes when the gateway reports each closed connection (close callbacks).
      return {
        state,
        actions: [...toUsers([message.user], { type: 'kicked', by: user }), { kind: 'close', users: [message.user] }],
      };
    }
  }
}

export function reduceChat(state: ChatState, event: ChatEvent): Reduction {
  switch (event.kind) {
    case 'open':
      return onOpen(state, event.connId, event.user);
    case 'message':
      return onMessage(state, event.connId, event.user, event.data);
    case 'close':
      return onClose(state, event.connId);
    case 'resync': {
      const conns = new Map(state.conns);
      for (const c of event.conns) if (c.user !== '' && !conns.has(c.connId)) conns.set(c.connId, c.user);
      return { state: { ...state, conns }, actions: [] };
    }
  }
}
