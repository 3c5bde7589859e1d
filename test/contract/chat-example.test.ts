// The chat example end to end: `npm run demo -- --no-cluster` (gateway + app + dev proxy on loopback, no Kubernetes),
// driven by `ws` clients as logged-in users. The full-stack demo on the local cluster: test/operator/demo.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, upgradeStatus, type RecordingClient } from '../support/ws-client.ts';
import { chatMessage, readChatFrame } from '../support/chat-frames.ts';

const demoMain = fileURLToPath(new URL('../../examples/chat/demo.ts', import.meta.url));

interface Demo {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  output: string[];
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

// Set by before(); undefined only when the demo failed to start.
let demo: Demo;

async function startDemo(): Promise<Demo> {
  const child = spawn(process.execPath, [demoMain, '--no-cluster', '--port', '0'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const output: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "demo ready" line within 60 s; output: ${output.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const ready = /^demo ready: open (http:\/\/127\.0\.0\.1:\d+\/) /.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code ?? signal}) before it was ready; output: ${output.join('\n')}`));
    });
  });
  let url: string;
  try {
    url = await ready;
  } catch (err) {
    child.kill('SIGTERM');
    await exited;
    throw err;
  }
  return { child, url, wsUrl: `${url.replace('http:', 'ws:')}ws`, output, exited };
}

before(async () => {
  demo = await startDemo();
});

after(async () => {
  if (demo !== undefined && demo.child.exitCode === null && demo.child.signalCode === null) {
    demo.child.kill('SIGTERM');
    await demo.exited;
  }
});

/** Logs in through the proxy's form and returns the Cookie header a browser would then send. */
async function login(name: string): Promise<string> {
  const response = await fetch(`${demo.url}login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name }).toString(),
    redirect: 'manual',
  });
  assert.equal(response.status, 303);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

type Json = Record<string, unknown>;

function frames(client: RecordingClient): Json[] {
  return client.received.filter((f): f is string => typeof f === 'string').map((f) => readChatFrame(f));
}

/** Resolves with the first JSON frame (already received or still to come) that matches. */
function waitForJson(client: RecordingClient, predicate: (m: Json) => boolean, what: string, timeoutMs = 15_000): Promise<Json> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = frames(client).find(predicate);
      if (!found) return false;
      client.socket.off('message', check);
      clearTimeout(timer);
      resolve(found);
      return true;
    };
    const timer = setTimeout(() => {
      client.socket.off('message', check);
      reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames(client))}`));
    }, timeoutMs);
    if (!check()) client.socket.on('message', check);
  });
}

/** Connects as `name` and waits for the app's welcome. */
async function join(name: string, room: string | null): Promise<RecordingClient> {
  const client = await connect(demo.wsUrl, { headers: { cookie: await login(name) } });
  await waitForJson(client, (m) => m.type === 'welcome', `${name}'s welcome`);
  if (room !== null) {
    client.send(chatMessage('join', { room }));
    await waitForJson(client, (m) => m.type === 'room' && (m.room as Json).name === room, `${name} in #${room}`);
  }
  return client;
}

async function closeAll(clients: RecordingClient[]): Promise<void> {
  for (const c of clients) c.socket.close();
  await Promise.all(clients.map((c) => c.closed));
}

const said = (from: string, text: string) => (m: Json) => m.type === 'said' && m.from === from && m.text === text;

test('an upgrade without a login is refused with 401, even with a forged X-Bfl-User', async () => {
  assert.equal(await upgradeStatus(demo.wsUrl), 401);
  assert.equal(await upgradeStatus(demo.wsUrl, { headers: { 'x-bfl-user': 'admin' } }), 401);
  assert.equal(await upgradeStatus(demo.wsUrl, { headers: { cookie: 'demo_user=admin.forged' } }), 401);
});

test('the page is served only after login, and the login sets an auth_token cookie', async () => {
  const anonymous = await fetch(demo.url, { redirect: 'manual' });
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get('location'), '/login');
  const cookie = await login('page-user');
  assert.match(cookie, /auth_token=[0-9a-f]{32}/);
  const page = await fetch(demo.url, { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module" src="\/chat\.js"/);
});

test('the page runs on the client library, served by the proxy; a plain GET of /ws tells it what an upgrade would get', async () => {
  const cookie = await login('lib-user');
  const script = await (await fetch(`${demo.url}chat.js`)).text();
  assert.match(script, /^import \{ createClient \} from '\/tapr-ws-client\.js';$/m);
  const library = await fetch(`${demo.url}tapr-ws-client.js`);
  assert.match(library.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(await library.text(), /export\s*\{[^}]*createClient/);
  // The library asks after a refused upgrade (browsers hide its status, SPEC A11): 401 is final, 426 would be accepted.
  assert.equal((await fetch(`${demo.url}ws`)).status, 401);
  assert.equal((await fetch(`${demo.url}ws`, { headers: { cookie } })).status, 426);
});

test('the user is the logged-in name, not an X-Bfl-User header the client sends', async () => {
  const client = await connect(demo.wsUrl, { headers: { cookie: await login('mallory'), 'x-bfl-user': 'admin' } });
  try {
    const welcome = await waitForJson(client, (m) => m.type === 'welcome', 'welcome');
    assert.equal(welcome.user, 'mallory');
  } finally {
    await closeAll([client]);
  }
});

test('a line said in a room reaches every member of that room and nobody else', async () => {
  const alice = await join('r-alice', 'lobby');
  const bob = await join('r-bob', 'lobby');
  const dave = await join('r-dave', 'garden');
  try {
    alice.send(chatMessage('say', { text: 'hello lobby' }));
    await waitForJson(alice, said('r-alice', 'hello lobby'), 'alice\'s own line');
    const atBob = await waitForJson(bob, said('r-alice', 'hello lobby'), 'alice\'s line at bob');
    assert.equal(atBob.room, 'lobby');
    // The app sends in order, so once dave sees his own later line, alice's would already be there.
    dave.send(chatMessage('say', { text: 'marker' }));
    await waitForJson(dave, said('r-dave', 'marker'), 'dave\'s own line');
    assert.equal(frames(dave).some(said('r-alice', 'hello lobby')), false, 'dave is in another room');
  } finally {
    await closeAll([alice, bob, dave]);
  }
});

test('a DM reaches its target only (plus an echo to the sender)', async () => {
  const alice = await join('d-alice', 'dm-room');
  const bob = await join('d-bob', 'dm-room');
  const carol = await join('d-carol', 'dm-room');
  try {
    alice.send(chatMessage('dm', { to: 'd-bob', text: 'just for you' }));
    const dm = await waitForJson(bob, (m) => m.type === 'dm', 'the DM at bob');
    assert.deepEqual(dm, { type: 'dm', from: 'd-alice', to: 'd-bob', text: 'just for you' });
    await waitForJson(alice, (m) => m.type === 'dm', 'the echo at alice');
    alice.send(chatMessage('say', { text: 'after the dm' }));
    await waitForJson(carol, said('d-alice', 'after the dm'), 'a later room line at carol');
    assert.equal(frames(carol).some((m) => m.type === 'dm'), false, 'carol got the DM');
  } finally {
    await closeAll([alice, bob, carol]);
  }
});

test('the room owner kicks a member: closed with 1000 "closed by app", the others see them leave', async () => {
  const owner = await join('k-owner', 'kick-room');
  const bob = await join('k-bob', 'kick-room');
  const carol = await join('k-carol', 'kick-room');
  try {
    bob.send(chatMessage('kick', { user: 'k-carol' }));
    const refused = await waitForJson(bob, (m) => m.type === 'error', 'a refusal for a non-owner');
    assert.match(String(refused.message), /owner/);

    owner.send(chatMessage('kick', { user: 'k-carol' }));
    assert.deepEqual(await carol.closed, { code: 1000, reason: 'closed by app' });
    assert.ok(frames(carol).some((m) => m.type === 'kicked' && m.by === 'k-owner'), 'carol is told who kicked her');
    const update = await waitForJson(bob, (m) => m.type === 'room' && m.left === 'k-carol', 'carol leaving the room, at bob');
    assert.deepEqual((update.room as Json).members, ['k-owner', 'k-bob']);
    await waitForJson(owner, (m) => m.type === 'presence' && !(m.online as string[]).includes('k-carol') && (m.online as string[]).includes('k-bob'), 'presence without carol');
    assert.equal(bob.socket.readyState, bob.socket.OPEN, 'bob is still connected');
  } finally {
    await closeAll([owner, bob, carol]);
  }
});

test('presence: a user who opens is announced, one who closes their last tab is gone for the others', async () => {
  const alice = await join('p-alice', null);
  try {
    const bob = await join('p-bob', null);
    await waitForJson(alice, (m) => m.type === 'presence' && (m.online as string[]).includes('p-bob'), 'bob online');
    const bobTab2 = await join('p-bob', null);
    bob.socket.close();
    await bob.closed;
    bobTab2.send(chatMessage('dm', { to: 'p-alice', text: 'still here' }));
    await waitForJson(alice, (m) => m.type === 'dm' && m.text === 'still here', 'a DM from bob\'s second tab');
    assert.equal(frames(alice).some((m) => m.type === 'presence' && !(m.online as string[]).includes('p-bob')), false, 'bob went offline with a tab left');
    bobTab2.socket.close();
    await waitForJson(alice, (m) => m.type === 'presence' && !(m.online as string[]).includes('p-bob'), 'bob offline');
  } finally {
    await closeAll([alice]);
  }
});

test('SIGTERM stops the demo cleanly: clients get 1001 from the gateway and it exits 0', async () => {
  const client = await join('s-user', 'lobby');
  demo.child.kill('SIGTERM');
  assert.equal((await client.closed).code, 1001);
  const [code] = await demo.exited;
  assert.equal(code, 0);
});
