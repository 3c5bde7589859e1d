// The chat's state machine: (state, gateway callback) → (new state, control API calls to make, the inline reply). Pure.
//
// Rooms are per connection, kept by the gateway as channels (SPEC A10): two tabs of one user can be in different rooms,
// and one control API call reaches a whole room (`send` with `channels`), "everyone but me" with `except_conns`.
// Answers to the sender (welcome, errors, the echo of one's own line) are inline replies to its callback (SPEC A9).
import { parseClientMessage, type RoomView, type ServerMessage } from './messages.ts';

export interface ChatState {
  /** Open connections: conn_id → user name. */
  readonly conns: ReadonlyMap<string, string>;
  /** conn_id → the room that connection is in. */
  readonly roomOf: ReadonlyMap<string, string>;
  /** Rooms: name → member users in join order (a user is a member while one of their connections is in it); the first is the owner. Empty rooms are removed. */
  readonly rooms: ReadonlyMap<string, readonly string[]>;
}

/** A gateway callback, already validated, reduced to what the chat needs. */
export type ChatEvent =
  | { kind: 'open'; connId: string; user: string }
  /** `event` undefined: a frame that is no `{"event","data"}` frame. */
  | { kind: 'message'; connId: string; user: string; event: string | undefined; data: unknown }
  | { kind: 'close'; connId: string; user: string }
  /**
   * What the gateway already holds when the app starts: its connections (`GET /tapr/ws/conn/list`) and the rooms'
   * channels with their members, oldest first (`/tapr/ws/channel/list` and `presence`).
   */
  | { kind: 'resync'; conns: { connId: string; user: string }[]; rooms?: { room: string; members: { connId: string; user: string }[] }[] };

export type SendTarget =
  | { users: string[] }
  | { connId: string }
  /** Every connection in the room's channel, but `exceptConn` (the sender, who gets an inline reply instead). */
  | { room: string; exceptConn?: string };

/** One control API call, or the inline reply to the callback being answered (at most one per reduction). */
export type ChatAction =
  | { kind: 'send'; to: SendTarget; payload: ServerMessage }
  | { kind: 'reply'; payload: ServerMessage }
  | { kind: 'subscribe'; connId: string; room: string }
  | { kind: 'unsubscribe'; connId: string; room: string }
  | { kind: 'close'; users: string[] };

export interface Reduction {
  state: ChatState;
  actions: ChatAction[];
}

/** The user allowed to kick anyone, in any room. */
export const ADMIN_USER = 'admin';

/** The gateway channel of a room (room names are a subset of channel names). */
export function roomChannel(room: string): string {
  return `room:${room}`;
}

export const emptyChatState: ChatState = { conns: new Map(), roomOf: new Map(), rooms: new Map() };

export function onlineUsers(state: ChatState): string[] {
  return [...new Set(state.conns.values())].sort();
}

function isOnline(state: ChatState, user: string): boolean {
  for (const name of state.conns.values()) if (name === user) return true;
  return false;
}

/** Whether another connection of `user` than `except` is in `room`. */
function hasOtherConnIn(state: ChatState, user: string, room: string, except: string): boolean {
  for (const [connId, name] of state.conns) if (name === user && connId !== except && state.roomOf.get(connId) === room) return true;
  return false;
}

function roomView(state: ChatState, name: string): RoomView | null {
  const members = state.rooms.get(name);
  if (!members || members.length === 0) return null;
  return { name, members: [...members], owner: members[0]! };
}

function reply(payload: ServerMessage): ChatAction {
  return { kind: 'reply', payload };
}

function toUsers(users: readonly string[], payload: ServerMessage): ChatAction[] {
  return users.length === 0 ? [] : [{ kind: 'send', to: { users: [...users] }, payload }];
}

function toRoom(room: string, payload: ServerMessage, exceptConn?: string): ChatAction {
  return { kind: 'send', to: exceptConn === undefined ? { room } : { room, exceptConn }, payload };
}

/** Takes connection `connId` out of its room; tells the room when its user was the last of theirs in it. */
function leaveRoom(state: ChatState, connId: string): Reduction {
  const room = state.roomOf.get(connId);
  const user = state.conns.get(connId);
  if (room === undefined || user === undefined) return { state, actions: [] };
  const roomOf = new Map(state.roomOf);
  roomOf.delete(connId);
  if (hasOtherConnIn(state, user, room, connId)) return { state: { ...state, roomOf }, actions: [] };
  const members = (state.rooms.get(room) ?? []).filter((m) => m !== user);
  const rooms = new Map(state.rooms);
  if (members.length === 0) rooms.delete(room);
  else rooms.set(room, members);
  const next = { ...state, roomOf, rooms };
  const view = roomView(next, room);
  return { state: next, actions: view ? [toRoom(room, { type: 'room', room: view, left: user })] : [] };
}

function onOpen(state: ChatState, connId: string, user: string): Reduction {
  if (user === '') return { state, actions: [reply({ type: 'error', message: 'anonymous connections cannot chat: log in first' })] };
  const wasOnline = isOnline(state, user);
  const conns = new Map(state.conns);
  conns.set(connId, user);
  const next = { ...state, conns };
  const online = onlineUsers(next);
  const actions: ChatAction[] = [reply({ type: 'welcome', user, online, room: null })];
  if (!wasOnline) actions.push(...toUsers(online.filter((u) => u !== user), { type: 'presence', online }));
  return { state: next, actions };
}

function onClose(state: ChatState, connId: string): Reduction {
  const user = state.conns.get(connId);
  if (user === undefined) return { state, actions: [] };
  // The gateway has already taken the connection out of its channels.
  const left = leaveRoom(state, connId);
  const conns = new Map(left.state.conns);
  conns.delete(connId);
  const next = { ...left.state, conns };
  if (isOnline(next, user)) return { state: next, actions: left.actions };
  const online = onlineUsers(next);
  return { state: next, actions: [...left.actions, ...toUsers(online, { type: 'presence', online })] };
}

function onJoin(state: ChatState, connId: string, user: string, room: string): Reduction {
  if (state.roomOf.get(connId) === room) return { state, actions: [reply({ type: 'room', room: roomView(state, room)! })] };
  const previous = state.roomOf.get(connId);
  const left = leaveRoom(state, connId);
  const current = left.state.rooms.get(room) ?? [];
  const isNewMember = !current.includes(user);
  const rooms = new Map(left.state.rooms);
  rooms.set(room, isNewMember ? [...current, user] : current);
  const roomOf = new Map(left.state.roomOf);
  roomOf.set(connId, room);
  const next = { ...left.state, rooms, roomOf };
  const view = roomView(next, room)!;
  const actions: ChatAction[] = [...left.actions];
  if (previous !== undefined) actions.push({ kind: 'unsubscribe', connId, room: previous });
  actions.push({ kind: 'subscribe', connId, room });
  // The room learns who joined (when it is news), the joining tab gets the room as its answer.
  if (isNewMember) actions.push(toRoom(room, { type: 'room', room: view, joined: user }, connId));
  actions.push(reply({ type: 'room', room: view, ...(isNewMember ? { joined: user } : {}) }));
  return { state: next, actions };
}

function mayKick(state: ChatState, kickerConn: string, kicker: string, target: string): boolean {
  if (kicker === ADMIN_USER) return true;
  const room = state.roomOf.get(kickerConn);
  return room !== undefined && state.rooms.get(room)?.[0] === kicker && (state.rooms.get(room) ?? []).includes(target);
}

function onMessage(state: ChatState, connId: string, user: string, frame: { event: string | undefined; data: unknown }): Reduction {
  if (!state.conns.has(connId)) {
    // A connection the app has not seen open (e.g. the app restarted): adopt it, then handle the message. The
    // welcome goes out as a send: the message's own answer is the inline reply.
    const opened = onOpen(state, connId, user);
    if (user === '') return opened;
    const handled = onMessage(opened.state, connId, user, frame);
    const welcome = opened.actions.map((action): ChatAction => (action.kind === 'reply' ? { kind: 'send', to: { connId }, payload: action.payload } : action));
    return { state: handled.state, actions: [...welcome, ...handled.actions] };
  }
  const parsed = parseClientMessage(frame.event, frame.data);
  if (!parsed.ok) return { state, actions: [reply({ type: 'error', message: parsed.error })] };
  const message = parsed.message;
  switch (message.type) {
    case 'join':
      return onJoin(state, connId, user, message.room);
    case 'say': {
      const room = state.roomOf.get(connId);
      if (room === undefined) return { state, actions: [reply({ type: 'error', message: 'join a room first' })] };
      const said: ServerMessage = { type: 'said', room, from: user, text: message.text };
      return { state, actions: [toRoom(room, said, connId), reply(said)] };
    }
    case 'dm': {
      if (!isOnline(state, message.to)) return { state, actions: [reply({ type: 'error', message: `${message.to} is not online` })] };
      const dm: ServerMessage = { type: 'dm', from: user, to: message.to, text: message.text };
      // The target gets it on every tab; the sending tab gets it as the answer (a DM to oneself reaches all tabs once).
      if (message.to === user) return { state, actions: toUsers([user], dm) };
      return { state, actions: [...toUsers([message.to], dm), reply(dm)] };
    }
    case 'kick': {
      if (message.user === user) return { state, actions: [reply({ type: 'error', message: 'you cannot kick yourself' })] };
      if (!isOnline(state, message.user)) return { state, actions: [reply({ type: 'error', message: `${message.user} is not online` })] };
      if (!mayKick(state, connId, user, message.user)) {
        return { state, actions: [reply({ type: 'error', message: `only "${ADMIN_USER}" or the room's owner (its first member) can kick, and only members of that room` })] };
      }
      // State changes when the gateway reports each closed connection (close callbacks).
      return { state, actions: [...toUsers([message.user], { type: 'kicked', by: user }), { kind: 'close', users: [message.user] }] };
    }
  }
}

export function reduceChat(state: ChatState, event: ChatEvent): Reduction {
  switch (event.kind) {
    case 'open':
      return onOpen(state, event.connId, event.user);
    case 'message':
      return onMessage(state, event.connId, event.user, event);
    case 'close':
      return onClose(state, event.connId);
    case 'resync': {
      const conns = new Map(state.conns);
      for (const c of event.conns) if (c.user !== '' && !conns.has(c.connId)) conns.set(c.connId, c.user);
      const roomOf = new Map(state.roomOf);
      const rooms = new Map(state.rooms);
      for (const { room, members } of event.rooms ?? []) {
        for (const { connId, user } of members) {
          if (!conns.has(connId) || roomOf.has(connId)) continue;
          roomOf.set(connId, room);
          const current = rooms.get(room) ?? [];
          if (!current.includes(user)) rooms.set(room, [...current, user]);
        }
      }
      return { state: { conns, roomOf, rooms }, actions: [] };
    }
  }
}

/** Whether a reduction told others something (a room update or presence): a replica that did not must leave it to a peer. */
export function announces(actions: readonly ChatAction[]): boolean {
  return actions.some((action) => action.kind === 'send' && (action.payload.type === 'presence' || action.payload.type === 'room'));
}

/**
 * Another app replica's event (several replicas, SPEC A8). Its origin performed its actions; this replica only updates
 * its state — except for a close whose origin announced nothing because it still saw the user's other connection,
 * held by this replica. When both of a user's last tabs close on two replicas at once, each origin sees the other tab
 * still open; whichever replica finds the user gone once the peer's close arrives announces it (both may: presence and
 * room updates are snapshots, so a second one changes nothing on a page).
 */
export function reducePeerEvent(state: ChatState, event: ChatEvent, originAnnounced: boolean): Reduction {
  const reduction = reduceChat(state, event);
  if (event.kind !== 'close' || originAnnounced) return { state: reduction.state, actions: [] };
  return { state: reduction.state, actions: reduction.actions.filter((action) => action.kind === 'send') };
}
