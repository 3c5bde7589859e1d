// Unit tests of the chat state machine: rooms as channels per connection, "everyone but me", inline answers, DM, presence, kick, and peer replicas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announces, emptyChatState, onlineUsers, reduceChat, reducePeerEvent, type ChatAction, type ChatEvent, type ChatState } from './chat-room.ts';

/** Applies events in order; returns the final state and the actions of the last event. */
function run(events: ChatEvent[], from: ChatState = emptyChatState): { state: ChatState; actions: ChatAction[] } {
  let state = from;
  let actions: ChatAction[] = [];
  for (const event of events) ({ state, actions } = reduceChat(state, event));
  return { state, actions };
}

const open = (user: string, connId = `c-${user}`): ChatEvent => ({ kind: 'open', connId, user });
const close = (user: string, connId = `c-${user}`): ChatEvent => ({ kind: 'close', connId, user });
/** A page's frame, written as the message `{type, …fields}` it carries (`{"event":type,"data":fields}` on the wire). */
const msg = (user: string, message: unknown, connId = `c-${user}`): ChatEvent => {
  if (typeof message !== 'object' || message === null) return { kind: 'message', connId, user, event: undefined, data: message };
  const { type, ...data } = message as { type: string };
  return { kind: 'message', connId, user, event: type, data };
};
const join = (user: string, room: string, connId?: string) => msg(user, { type: 'join', room }, connId);
const lobby = (members: string[]) => ({ name: 'lobby', members, owner: members[0]! });

test('open answers the new connection with a welcome and tells the others who is online', () => {
  const { state, actions } = run([open('alice'), open('bob')]);
  assert.deepEqual(onlineUsers(state), ['alice', 'bob']);
  assert.deepEqual(actions, [
    { kind: 'reply', payload: { type: 'welcome', user: 'bob', online: ['alice', 'bob'], room: null } },
    { kind: 'send', to: { users: ['alice'] }, payload: { type: 'presence', online: ['alice', 'bob'] } },
  ]);
});

test('a second tab of an online user starts in no room, and nobody else is told', () => {
  const { actions } = run([open('alice'), join('alice', 'lobby'), open('bob'), open('alice', 'c-alice-2')]);
  assert.deepEqual(actions, [{ kind: 'reply', payload: { type: 'welcome', user: 'alice', online: ['alice', 'bob'], room: null } }]);
});

test('join subscribes the connection to the room\'s channel, tells the room but the joiner, and answers the joiner', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby')]);
  assert.deepEqual(actions, [
    { kind: 'subscribe', connId: 'c-bob', room: 'lobby' },
    { kind: 'send', to: { room: 'lobby', exceptConn: 'c-bob' }, payload: { type: 'room', room: lobby(['alice', 'bob']), joined: 'bob' } },
    { kind: 'reply', payload: { type: 'room', room: lobby(['alice', 'bob']), joined: 'bob' } },
  ]);
  assert.equal(state.roomOf.get('c-bob'), 'lobby');
});

test('switching rooms leaves the old channel (the room hears who left) and joins the new one', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby'), join('alice', 'garden')]);
  assert.deepEqual(actions, [
    { kind: 'send', to: { room: 'lobby' }, payload: { type: 'room', room: lobby(['bob']), left: 'alice' } },
    { kind: 'unsubscribe', connId: 'c-alice', room: 'lobby' },
    { kind: 'subscribe', connId: 'c-alice', room: 'garden' },
    { kind: 'send', to: { room: 'garden', exceptConn: 'c-alice' }, payload: { type: 'room', room: { name: 'garden', members: ['alice'], owner: 'alice' }, joined: 'alice' } },
    { kind: 'reply', payload: { type: 'room', room: { name: 'garden', members: ['alice'], owner: 'alice' }, joined: 'alice' } },
  ]);
  assert.deepEqual(state.rooms.get('lobby'), ['bob']);
});

test('two tabs of one user can be in two rooms; the user stays a member while one tab is in', () => {
  const { state } = run([open('alice'), open('alice', 'c-alice-2'), join('alice', 'lobby'), join('alice', 'garden', 'c-alice-2')]);
  assert.equal(state.roomOf.get('c-alice'), 'lobby');
  assert.equal(state.roomOf.get('c-alice-2'), 'garden');
  // The second tab joins the lobby too: alice is a member already, so the room is not told again.
  const again = run([join('alice', 'lobby', 'c-alice-2')], state);
  assert.deepEqual(again.actions, [
    { kind: 'unsubscribe', connId: 'c-alice-2', room: 'garden' },
    { kind: 'subscribe', connId: 'c-alice-2', room: 'lobby' },
    { kind: 'reply', payload: { type: 'room', room: lobby(['alice']) } },
  ]);
  assert.equal(again.state.rooms.has('garden'), false, 'garden is empty and gone');
  // One tab leaves the lobby for another room: alice is still in the lobby through her other tab.
  const leaveOne = run([join('alice', 'attic', 'c-alice-2')], again.state);
  assert.deepEqual(leaveOne.state.rooms.get('lobby'), ['alice']);
  assert.ok(!leaveOne.actions.some((a) => a.kind === 'send' && 'room' in a.to && a.to.room === 'lobby'));
});

test('joining the room the connection is in again only answers it', () => {
  const { actions } = run([open('alice'), join('alice', 'lobby'), join('alice', 'lobby')]);
  assert.deepEqual(actions, [{ kind: 'reply', payload: { type: 'room', room: lobby(['alice']) } }]);
});

test('say reaches the room but the sender with one call, and the sender gets the line as its answer', () => {
  const { actions } = run([open('alice'), open('bob'), open('carol'), join('alice', 'lobby'), join('bob', 'lobby'), join('carol', 'garden'),
    msg('bob', { type: 'say', text: '  hi  ' })]);
  const said = { type: 'said', room: 'lobby', from: 'bob', text: 'hi' } as const;
  assert.deepEqual(actions, [{ kind: 'send', to: { room: 'lobby', exceptConn: 'c-bob' }, payload: said }, { kind: 'reply', payload: said }]);
});

test('say outside a room is an error answered to the sending connection only', () => {
  const { actions } = run([open('alice'), msg('alice', { type: 'say', text: 'hi' })]);
  assert.deepEqual(actions, [{ kind: 'reply', payload: { type: 'error', message: 'join a room first' } }]);
});

test('dm goes to the target user (all tabs) and is the sending tab\'s answer', () => {
  const { actions } = run([open('alice'), open('bob'), open('carol'), msg('alice', { type: 'dm', to: 'bob', text: 'psst' })]);
  const dm = { type: 'dm', from: 'alice', to: 'bob', text: 'psst' } as const;
  assert.deepEqual(actions, [{ kind: 'send', to: { users: ['bob'] }, payload: dm }, { kind: 'reply', payload: dm }]);
});

test('dm to oneself is sent once to every tab; dm to someone offline is an error', () => {
  assert.deepEqual(run([open('alice'), msg('alice', { type: 'dm', to: 'alice', text: 'note' })]).actions, [
    { kind: 'send', to: { users: ['alice'] }, payload: { type: 'dm', from: 'alice', to: 'alice', text: 'note' } },
  ]);
  assert.deepEqual(run([open('alice'), msg('alice', { type: 'dm', to: 'zed', text: 'x' })]).actions, [
    { kind: 'reply', payload: { type: 'error', message: 'zed is not online' } },
  ]);
});

test('the room owner kicks a member: a notice, then one close by user name', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby'), msg('alice', { type: 'kick', user: 'bob' })]);
  assert.deepEqual(actions, [
    { kind: 'send', to: { users: ['bob'] }, payload: { type: 'kicked', by: 'alice' } },
    { kind: 'close', users: ['bob'] },
  ]);
  assert.deepEqual(onlineUsers(state), ['alice', 'bob'], 'bob stays until the gateway reports the close');
});

test('admin may kick anyone; a non-owner, an owner of another room and self-kick are refused', () => {
  const base = [open('alice'), open('bob'), open('carol'), open('admin'), join('alice', 'lobby'), join('bob', 'lobby'), join('carol', 'garden')];
  assert.deepEqual(run([...base, msg('admin', { type: 'kick', user: 'carol' })]).actions.at(-1), { kind: 'close', users: ['carol'] });
  for (const [kicker, target] of [['bob', 'alice'], ['carol', 'bob'], ['alice', 'carol'], ['alice', 'alice']] as const) {
    const { actions } = run([...base, msg(kicker, { type: 'kick', user: target })]);
    assert.equal(actions.length, 1, `${kicker} kicking ${target}`);
    assert.equal(actions[0]!.kind, 'reply');
    assert.equal((actions[0] as Extract<ChatAction, { kind: 'reply' }>).payload.type, 'error');
  }
});

test('closing the last connection of a user updates the room (owner passes on) and presence', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby'), close('alice')]);
  assert.deepEqual(actions, [
    { kind: 'send', to: { room: 'lobby' }, payload: { type: 'room', room: lobby(['bob']), left: 'alice' } },
    { kind: 'send', to: { users: ['bob'] }, payload: { type: 'presence', online: ['bob'] } },
  ]);
  assert.equal(state.roomOf.has('c-alice'), false);
  assert.equal(announces(actions), true);
});

test('closing one of two tabs in a room changes nothing visible; the last one empties the room', () => {
  const events = [open('alice'), open('alice', 'c-alice-2'), join('alice', 'lobby'), join('alice', 'lobby', 'c-alice-2'), close('alice')];
  assert.deepEqual(run(events).actions, []);
  const { state, actions } = run([...events, close('alice', 'c-alice-2')]);
  assert.deepEqual(actions, []);
  assert.equal(state.rooms.size, 0);
  assert.deepEqual(onlineUsers(state), []);
});

test('a close for an unknown connection is ignored', () => {
  const before = run([open('alice')]).state;
  assert.deepEqual(reduceChat(before, close('bob')), { state: before, actions: [] });
});

test('invalid messages get an error naming the field, as the sender\'s answer', () => {
  for (const [data, message] of [
    ['hello', 'message: expected a frame {"event":…,"data":{…}}'],
    [{ type: 'join', room: 'no spaces' }, 'room: 1-32 letters, digits, "-" or "_", starting with a letter or digit'],
    [{ type: 'say', text: '   ' }, 'text: must not be empty'],
    [{ type: 'say', text: 'x'.repeat(501) }, 'text: at most 500 characters'],
    [{ type: 'dm', text: 'x' }, 'to: expected a user name'],
    [{ type: 'dance' }, 'event: expected "join", "say", "dm" or "kick"'],
  ] as const) {
    assert.deepEqual(run([open('alice'), msg('alice', data)]).actions, [{ kind: 'reply', payload: { type: 'error', message } }]);
  }
});

test('anonymous connections (user "") are told to log in and never appear online', () => {
  const { state, actions } = run([open('')]);
  assert.deepEqual(actions, [{ kind: 'reply', payload: { type: 'error', message: 'anonymous connections cannot chat: log in first' } }]);
  assert.deepEqual(onlineUsers(run([msg('', { type: 'say', text: 'x' })], state).state), []);
});

test('a message from a connection the app never saw open adopts it (app restarted); the welcome is a send, the answer the room', () => {
  const { state, actions } = run([open('alice'), msg('bob', { type: 'join', room: 'lobby' })]);
  assert.deepEqual(onlineUsers(state), ['alice', 'bob']);
  assert.deepEqual(actions.map((a) => `${a.kind}${a.kind === 'send' || a.kind === 'reply' ? ` ${a.payload.type}` : ''}`), ['send welcome', 'send presence', 'subscribe', 'send room', 'reply room']);
  assert.equal(actions.filter((a) => a.kind === 'reply').length, 1, 'one inline reply per callback');
});

test('resync adds the connections the gateway already holds, without sending anything', () => {
  const { state, actions } = run([open('alice'), { kind: 'resync', conns: [{ connId: 'c-alice', user: 'alice' }, { connId: 'x', user: 'bob' }, { connId: 'y', user: '' }] }]);
  assert.deepEqual(actions, []);
  assert.deepEqual([...state.conns], [['c-alice', 'alice'], ['x', 'bob']]);
});

test('two replicas: a user\'s last two tabs closing on both at once are still announced (the demo\'s stale presence)', () => {
  // Both replicas know both tabs (through the relay): tab 1 on replica A, tab 2 on replica B, both in the lobby with bob.
  const shared = run([open('bob'), open('alice', 'a-1'), open('alice', 'b-2'), join('bob', 'lobby'), join('alice', 'lobby', 'a-1'), join('alice', 'lobby', 'b-2')]).state;
  const onA = reduceChat(shared, close('alice', 'a-1'));
  const onB = reduceChat(shared, close('alice', 'b-2'));
  assert.deepEqual([onA.actions, onB.actions], [[], []], 'each origin still sees the other tab: nobody announces');
  // Each then receives the other's close, which its origin did not announce: now alice is gone, and it says so.
  const peerOnA = reducePeerEvent(onA.state, close('alice', 'b-2'), announces(onB.actions));
  const peerOnB = reducePeerEvent(onB.state, close('alice', 'a-1'), announces(onA.actions));
  for (const peer of [peerOnA, peerOnB]) {
    assert.deepEqual(onlineUsers(peer.state), ['bob']);
    assert.deepEqual(peer.actions, [
      { kind: 'send', to: { room: 'lobby' }, payload: { type: 'room', room: lobby(['bob']), left: 'alice' } },
      { kind: 'send', to: { users: ['bob'] }, payload: { type: 'presence', online: ['bob'] } },
    ]);
  }
});

test('two replicas, one after the other: the origin that saw the user go announces, the peer stays quiet', () => {
  const shared = run([open('bob'), open('alice', 'a-1'), open('alice', 'b-2')]).state;
  const first = reduceChat(shared, close('alice', 'a-1'));
  const onB = reducePeerEvent(shared, close('alice', 'a-1'), announces(first.actions));
  assert.deepEqual(onB.actions, [], 'alice is still online through b-2');
  const second = reduceChat(onB.state, close('alice', 'b-2'));
  assert.equal(announces(second.actions), true);
  const onA = reducePeerEvent(first.state, close('alice', 'b-2'), announces(second.actions));
  assert.deepEqual(onA.actions, [], 'announced by its origin already');
  assert.deepEqual(onlineUsers(onA.state), ['bob']);
  // Peer events other than closes never act on this replica.
  assert.deepEqual(reducePeerEvent(shared, msg('bob', { type: 'say', text: 'x' }), false).actions, []);
});

test('resync rebuilds rooms from the gateway\'s channels, members in the order they joined', () => {
  const conns = [{ connId: 'a-1', user: 'alice' }, { connId: 'b-1', user: 'bob' }, { connId: 'a-2', user: 'alice' }];
  const { state } = run([{ kind: 'resync', conns, rooms: [{ room: 'lobby', members: [conns[1]!, conns[0]!, conns[2]!] }, { room: 'gone', members: [{ connId: 'zz', user: 'zed' }] }] }]);
  assert.deepEqual(state.rooms.get('lobby'), ['bob', 'alice'], 'bob joined first: he owns the room');
  assert.equal(state.roomOf.get('a-2'), 'lobby');
  assert.equal(state.rooms.has('gone'), false, 'members the gateway no longer lists are skipped');
  const said = run([msg('alice', { type: 'say', text: 'still here' }, 'a-2')], state).actions;
  assert.deepEqual(said[0], { kind: 'send', to: { room: 'lobby', exceptConn: 'a-2' }, payload: { type: 'said', room: 'lobby', from: 'alice', text: 'still here' } });
});
