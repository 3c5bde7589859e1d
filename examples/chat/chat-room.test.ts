// Unit tests of the chat state machine: rooms, broadcast, DM, presence and kick rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyChatState, onlineUsers, reduceChat, type ChatAction, type ChatEvent, type ChatState } from './chat-room.ts';

/** Applies events in order; returns the final state and the actions of the last event. */
function run(events: ChatEvent[], from: ChatState = emptyChatState): { state: ChatState; actions: ChatAction[] } {
  let state = from;
  let actions: ChatAction[] = [];
  for (const event of events) ({ state, actions } = reduceChat(state, event));
  return { state, actions };
}

const open = (user: string, connId = `c-${user}`): ChatEvent => ({ kind: 'open', connId, user });
const close = (user: string, connId = `c-${user}`): ChatEvent => ({ kind: 'close', connId, user });
const msg = (user: string, data: unknown, connId = `c-${user}`): ChatEvent => ({ kind: 'message', connId, user, data });
const join = (user: string, room: string, connId?: string) => msg(user, { type: 'join', room }, connId);

test('open welcomes the new connection and tells the others who is online', () => {
  const { state, actions } = run([open('alice'), open('bob')]);
  assert.deepEqual(onlineUsers(state), ['alice', 'bob']);
  assert.deepEqual(actions, [
    { kind: 'send', to: { connId: 'c-bob' }, payload: { type: 'welcome', user: 'bob', online: ['alice', 'bob'], room: null } },
    { kind: 'send', to: { users: ['alice'] }, payload: { type: 'presence', online: ['alice', 'bob'] } },
  ]);
});

test('a second tab of an online user gets a welcome with its room, and nobody else is told', () => {
  const { actions } = run([open('alice'), join('alice', 'lobby'), open('bob'), open('alice', 'c-alice-2')]);
  assert.deepEqual(actions, [{
    kind: 'send',
    to: { connId: 'c-alice-2' },
    payload: { type: 'welcome', user: 'alice', online: ['alice', 'bob'], room: { name: 'lobby', members: ['alice'], owner: 'alice' } },
  }]);
});

test('join tells every member of the room, in one call, with the first member as owner', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby')]);
  assert.deepEqual(actions, [{
    kind: 'send',
    to: { users: ['alice', 'bob'] },
    payload: { type: 'room', room: { name: 'lobby', members: ['alice', 'bob'], owner: 'alice' }, joined: 'bob' },
  }]);
  assert.equal(state.roomOf.get('bob'), 'lobby');
});

test('switching rooms tells the old room who left and the new room who joined', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby'), join('alice', 'garden')]);
  assert.deepEqual(actions, [
    { kind: 'send', to: { users: ['bob'] }, payload: { type: 'room', room: { name: 'lobby', members: ['bob'], owner: 'bob' }, left: 'alice' } },
    { kind: 'send', to: { users: ['alice'] }, payload: { type: 'room', room: { name: 'garden', members: ['alice'], owner: 'alice' }, joined: 'alice' } },
  ]);
  assert.deepEqual(state.rooms.get('lobby'), ['bob']);
});

test('joining the room one is in again only refreshes the sender', () => {
  const { actions } = run([open('alice'), join('alice', 'lobby'), join('alice', 'lobby')]);
  assert.deepEqual(actions, [
    { kind: 'send', to: { connId: 'c-alice' }, payload: { type: 'room', room: { name: 'lobby', members: ['alice'], owner: 'alice' } } },
  ]);
});

test('say reaches exactly the members of the sender\'s room with one call', () => {
  const { actions } = run([open('alice'), open('bob'), open('carol'), join('alice', 'lobby'), join('bob', 'lobby'), join('carol', 'garden'),
    msg('bob', { type: 'say', text: '  hi  ' })]);
  assert.deepEqual(actions, [{ kind: 'send', to: { users: ['alice', 'bob'] }, payload: { type: 'said', room: 'lobby', from: 'bob', text: 'hi' } }]);
});

test('say outside a room is an error to the sending connection only', () => {
  const { actions } = run([open('alice'), msg('alice', { type: 'say', text: 'hi' })]);
  assert.deepEqual(actions, [{ kind: 'send', to: { connId: 'c-alice' }, payload: { type: 'error', message: 'join a room first' } }]);
});

test('dm goes to the target user (all tabs) and echoes to the sending tab only', () => {
  const { actions } = run([open('alice'), open('bob'), open('carol'), msg('alice', { type: 'dm', to: 'bob', text: 'psst' })]);
  const dm = { type: 'dm', from: 'alice', to: 'bob', text: 'psst' };
  assert.deepEqual(actions, [
    { kind: 'send', to: { users: ['bob'] }, payload: dm },
    { kind: 'send', to: { connId: 'c-alice' }, payload: dm },
  ]);
});

test('dm to oneself is sent once; dm to someone offline is an error', () => {
  assert.deepEqual(run([open('alice'), msg('alice', { type: 'dm', to: 'alice', text: 'note' })]).actions, [
    { kind: 'send', to: { users: ['alice'] }, payload: { type: 'dm', from: 'alice', to: 'alice', text: 'note' } },
  ]);
  assert.deepEqual(run([open('alice'), msg('alice', { type: 'dm', to: 'zed', text: 'x' })]).actions, [
    { kind: 'send', to: { connId: 'c-alice' }, payload: { type: 'error', message: 'zed is not online' } },
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
    assert.equal(actions[0]!.kind, 'send');
    assert.deepEqual((actions[0] as Extract<ChatAction, { kind: 'send' }>).to, { connId: `c-${kicker}` });
    assert.equal((actions[0] as Extract<ChatAction, { kind: 'send' }>).payload.type, 'error');
  }
});

test('closing the last connection of a user updates the room (owner passes on) and presence', () => {
  const { state, actions } = run([open('alice'), open('bob'), join('alice', 'lobby'), join('bob', 'lobby'), close('alice')]);
  assert.deepEqual(actions, [
    { kind: 'send', to: { users: ['bob'] }, payload: { type: 'room', room: { name: 'lobby', members: ['bob'], owner: 'bob' }, left: 'alice' } },
    { kind: 'send', to: { users: ['bob'] }, payload: { type: 'presence', online: ['bob'] } },
  ]);
  assert.equal(state.roomOf.has('alice'), false);
});

test('closing one of two tabs changes nothing visible; the last one empties the room', () => {
  const events = [open('alice'), open('alice', 'c-alice-2'), join('alice', 'lobby'), close('alice')];
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

test('invalid messages get an error naming the field, to the sender only', () => {
  for (const [data, message] of [
    ['hello', 'message: expected a JSON object with a "type"'],
    [{ type: 'join', room: 'no spaces' }, 'room: 1-32 letters, digits, "-" or "_", starting with a letter or digit'],
    [{ type: 'say', text: '   ' }, 'text: must not be empty'],
    [{ type: 'say', text: 'x'.repeat(501) }, 'text: at most 500 characters'],
    [{ type: 'dm', text: 'x' }, 'to: expected a user name'],
    [{ type: 'dance' }, 'type: expected "join", "say", "dm" or "kick"'],
  ] as const) {
    assert.deepEqual(run([open('alice'), msg('alice', data)]).actions, [{ kind: 'send', to: { connId: 'c-alice' }, payload: { type: 'error', message } }]);
  }
});

test('anonymous connections (user "") are told to log in and never appear online', () => {
  const { state, actions } = run([open('')]);
  assert.deepEqual(actions, [{ kind: 'send', to: { connId: 'c-' }, payload: { type: 'error', message: 'anonymous connections cannot chat: log in first' } }]);
  assert.deepEqual(onlineUsers(run([msg('', { type: 'say', text: 'x' })], state).state), []);
});

test('a message from a connection the app never saw open adopts it (app restarted)', () => {
  const { state, actions } = run([open('alice'), msg('bob', { type: 'join', room: 'lobby' })]);
  assert.deepEqual(onlineUsers(state), ['alice', 'bob']);
  assert.deepEqual(actions.map((a) => a.kind === 'send' && a.payload.type), ['welcome', 'presence', 'room']);
});

test('resync adds the connections the gateway already holds, without sending anything', () => {
  const { state, actions } = run([open('alice'), { kind: 'resync', conns: [{ connId: 'c-alice', user: 'alice' }, { connId: 'x', user: 'bob' }, { connId: 'y', user: '' }] }]);
  assert.deepEqual(actions, []);
  assert.deepEqual([...state.conns], [['c-alice', 'alice'], ['x', 'bob']]);
});
