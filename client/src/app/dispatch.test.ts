// Unit tests of one callback's dispatch: typed events, the fallback, inline reply and $reply, open-answer subscribe,
// the control API calls the context makes (a recording fake), and errors as 400/500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlClient } from './control-client.ts';
import { createDispatch } from './dispatch.ts';
import type { CallbackHandlerOptions } from './handler-types.ts';

type Call = [string, unknown];

function fakeControl(calls: Call[], matched = 1): ControlClient {
  const record = (name: string) => (request?: unknown) => {
    calls.push([name, request]);
    return Promise.resolve({ matched, sent: matched, subscribed: matched, refused: 0, unsubscribed: matched } as never);
  };
  return {
    send: record('send'), sendEvent: (targets, event, data) => record('sendEvent')({ targets, event, data }), close: record('close'), list: record('list'),
    subscribe: record('subscribe'), unsubscribe: record('unsubscribe'), channels: record('channels'), presence: record('presence'),
  };
}

const who = { conn_id: 'c1', user_name: 'alice', token: 't', access_public: false, path: '/ws/chat', query: 'room=1' };
const open = JSON.stringify({ ...who, action: 'open', data: {} });
const message = (data: unknown, extra = {}) => JSON.stringify({ ...who, action: 'message', data, ...extra });

interface ClientEvents { chat: { text: string }; sum: { a: number; b: number; $id?: string } }
interface ServerEvents { said: { from: string; text: string }; welcome: { user: string } }

function setup(options: Omit<CallbackHandlerOptions<ClientEvents, ServerEvents>, 'control'>, matched = 1) {
  const calls: Call[] = [];
  const errors: unknown[] = [];
  const dispatch = createDispatch<ClientEvents, ServerEvents>({ onError: (error) => errors.push(error), ...options, control: fakeControl(calls, matched) });
  return { dispatch, calls, errors };
}

test('a message is dispatched by its event to the typed handler, with the connection in the context', async () => {
  const seen: unknown[] = [];
  const { dispatch } = setup({ events: { chat(ctx, data) { seen.push([ctx.connId, ctx.user, ctx.path, ctx.query, data.text]); } } });
  const answer = await dispatch(message({ event: 'chat', data: { text: 'hi' } }));
  assert.deepEqual(seen, [['c1', 'alice', '/ws/chat', 'room=1', 'hi']]);
  assert.deepEqual(answer, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"code":0,"message":"success"}' });
});

test('ctx.reply becomes the inline reply: header and {"event","data"} body', async () => {
  const { dispatch } = setup({ events: { chat(ctx, data) { ctx.reply('said', { from: ctx.user, text: data.text }); } } });
  const answer = await dispatch(message({ event: 'chat', data: { text: 'hi' } }));
  assert.equal(answer.headers['x-tapr-ws-reply'], '1');
  assert.deepEqual(JSON.parse(answer.body), { event: 'said', data: { from: 'alice', text: 'hi' } });
});

test('ctx.replyTo answers a request() with its $id; replyTo on a plain message and a second reply are errors (500)', async () => {
  const { dispatch, errors } = setup({ events: { sum(ctx, data) { ctx.replyTo({ sum: data.a + data.b }); } } });
  const answer = await dispatch(message({ event: 'sum', data: { a: 1, b: 2, $id: 'r7' } }));
  assert.deepEqual(JSON.parse(answer.body), { event: '$reply', data: { sum: 3, $id: 'r7' } });
  assert.equal((await dispatch(message({ event: 'sum', data: { a: 1, b: 2 } }))).status, 500);
  assert.match(String(errors[0]), /ctx.replyTo: this message is no request\(\)/);

  const twice = setup({ events: { chat(ctx) { ctx.reply('welcome', { user: 'a' }); ctx.reply('welcome', { user: 'b' }); } } });
  assert.equal((await twice.dispatch(message({ event: 'chat', data: { text: '' } }))).status, 500);
  assert.match(String(twice.errors[0]), /one inline reply per callback/);
});

test('frames that are no event frame, raw text, binary and events without a handler go to onMessage', async () => {
  const seen: unknown[] = [];
  const { dispatch } = setup({ events: { chat() { seen.push('chat'); } }, onMessage(_ctx, m) { seen.push(m); } });
  await dispatch(message({ hello: 1 }));
  await dispatch(message('plain', { raw: true }));
  await dispatch(message('AAE=', { binary: true }));
  await dispatch(message({ event: 'unknown', data: 1 }));
  await dispatch(message({ event: 'chat', data: 1 }, { raw: true }));
  assert.deepEqual(seen, [
    { data: { hello: 1 }, raw: false, binary: false },
    { data: 'plain', raw: true, binary: false },
    { data: 'AAE=', raw: false, binary: true },
    { data: { event: 'unknown', data: 1 }, raw: false, binary: false, event: 'unknown' },
    { data: { event: 'chat', data: 1 }, raw: true, binary: false },
  ]);
});

test('subscribing in onOpen is carried by the open answer, no control API call', async () => {
  const { dispatch, calls } = setup({ async onOpen(ctx) { await ctx.subscribe(['room:1']); await ctx.subscribe(['user:alice']); } });
  const answer = await dispatch(open);
  assert.deepEqual(JSON.parse(answer.body), { subscribe: ['room:1', 'user:alice'] });
  assert.deepEqual(calls, []);
});

test('onOpen that replies and subscribes: the channels go through the control API before the inline answer', async () => {
  const { dispatch, calls } = setup({ async onOpen(ctx) { await ctx.subscribe(['room:1']); ctx.reply('welcome', { user: ctx.user }); } });
  const answer = await dispatch(open);
  assert.deepEqual(calls, [['subscribe', { conn_id: 'c1', channels: ['room:1'] }]]);
  assert.deepEqual(JSON.parse(answer.body), { event: 'welcome', data: { user: 'alice' } });
  // In authorize mode the gateway holds no connection before the answer: a clear error, not a silent no-op.
  const early = setup({ async onOpen(ctx) { await ctx.subscribe(['room:1']); ctx.reply('welcome', { user: ctx.user }); } }, 0);
  assert.equal((await early.dispatch(open)).status, 500);
  assert.match(String(early.errors[0]), /WS_OPEN_MODE=authorize/);
});

test('in messages, subscribe, unsubscribe and send go through the control API for this connection', async () => {
  const { dispatch, calls } = setup({
    events: {
      async chat(ctx) {
        await ctx.subscribe(['room:2']);
        await ctx.unsubscribe(['room:1']);
        await ctx.send('said', { from: 'x', text: 'y' });
      },
    },
  });
  await dispatch(message({ event: 'chat', data: { text: '' } }));
  assert.deepEqual(calls, [
    ['subscribe', { conn_id: 'c1', channels: ['room:2'] }],
    ['unsubscribe', { conn_id: 'c1', channels: ['room:1'] }],
    ['sendEvent', { targets: { conn_id: 'c1' }, event: 'said', data: { from: 'x', text: 'y' } }],
  ]);
});

test('a bad channel name fails in the handler, naming it', async () => {
  const { dispatch, errors } = setup({ async onOpen(ctx) { await ctx.subscribe(['room 1']); } });
  assert.equal((await dispatch(open)).status, 500);
  assert.match(String(errors[0]), /ctx.subscribe: channels\[0\] "room 1" is not a channel name/);
});

test('close gets code, reason and channels', async () => {
  const seen: unknown[] = [];
  const { dispatch } = setup({ onClose(info) { seen.push([info.connId, info.code, info.reason, info.channels]); } });
  const answer = await dispatch(JSON.stringify({ ...who, action: 'close', data: {}, code: 1001, reason: 'going away', channels: ['room:1'] }));
  assert.equal(answer.status, 200);
  assert.deepEqual(seen, [['c1', 1001, 'going away', ['room:1']]]);
});

test('bad bodies are 400 naming the field; a throwing handler is 500 and reported with its connection', async () => {
  const reported: unknown[] = [];
  const calls: Call[] = [];
  const dispatch = createDispatch({ control: fakeControl(calls), onOpen() { throw new Error('boom'); }, onError: (error, connection) => reported.push([String(error), connection?.connId]) });
  assert.match((JSON.parse((await dispatch('{')).body) as { error: string }).error, /^body: invalid JSON/);
  const bad = await dispatch(JSON.stringify({ ...who, action: 'open', conn_id: 3 }));
  assert.deepEqual([bad.status, JSON.parse(bad.body)], [400, { error: 'conn_id: expected a non-empty string' }]);
  const failed = await dispatch(open);
  assert.deepEqual([failed.status, JSON.parse(failed.body)], [500, { error: 'callback handler failed' }]);
  assert.deepEqual(reported, [['Error: boom', 'c1']]);
});
