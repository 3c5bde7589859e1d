// The chat page: createClient from the client library (keep-alive, reconnects chosen by close code, offline queue) on /ws.
import { createClient } from '/tapr-ws-client.js';

const $ = (id) => document.getElementById(id);
const ui = {
  me: $('me'), status: $('status'), reconnect: $('reconnect'), log: $('log'),
  joinForm: $('join-form'), roomInput: $('room-input'), roomName: $('room-name'), members: $('members'),
  online: $('online'), sayForm: $('say-form'), to: $('to'), text: $('text'),
};

const chat = {
  me: null,
  room: null, // { name, members, owner }
  online: [],
  wantedRoom: ui.roomInput.value, // joined on connect, and again after a reconnect
  ws: null,
  connected: false,
  kickedBy: null,
};

function line(kind, parts) {
  const item = document.createElement('li');
  item.className = kind;
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = new Date().toLocaleTimeString();
  item.append(time);
  for (const [cls, text] of parts) {
    const span = document.createElement('span');
    if (cls) span.className = cls;
    span.textContent = text;
    item.append(span);
  }
  const atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 40;
  ui.log.append(item);
  if (atBottom) ui.log.scrollTop = ui.log.scrollHeight;
}
const system = (text) => line('system', [['', text]]);

function setStatus(kind, text) {
  ui.status.className = `status ${kind}`;
  ui.status.textContent = text;
}

/** Sent now, or queued while reconnecting (the library's offline queue); false when it was dropped. */
function send(event, data) {
  if (chat.ws.send(event, data) !== 'dropped') return true;
  line('error', [['', 'not connected']]);
  return false;
}

function mayKick(user) {
  if (user === chat.me) return false;
  if (chat.me === 'admin') return true;
  return chat.room !== null && chat.room.owner === chat.me && chat.room.members.includes(user);
}

function userItem(user, extra) {
  const item = document.createElement('li');
  if (user === chat.me) item.className = 'self';
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = user;
  name.title = user === chat.me ? 'you' : `direct message ${user}`;
  name.addEventListener('click', () => {
    if (user === chat.me) return;
    ui.to.value = user;
    ui.text.focus();
  });
  item.append(name);
  if (extra) item.append(extra);
  if (mayKick(user)) {
    const kick = document.createElement('button');
    kick.type = 'button';
    kick.className = 'kick';
    kick.textContent = 'kick';
    kick.addEventListener('click', () => send('kick', { user }));
    item.append(kick);
  }
  return item;
}

function render() {
  ui.me.textContent = chat.me ? `you are ${chat.me}` : '';
  ui.roomName.textContent = chat.room ? `#${chat.room.name}` : 'not in a room';
  ui.roomName.className = chat.room ? '' : 'muted';
  ui.members.replaceChildren(...(chat.room ? chat.room.members.map((u) => {
    if (u !== chat.room.owner) return userItem(u);
    const badge = document.createElement('span');
    badge.className = 'owner';
    badge.textContent = '★ owner';
    return userItem(u, badge);
  }) : []));
  ui.online.replaceChildren(...chat.online.map((u) => userItem(u)));
  const chosen = ui.to.value;
  const options = [new Option('to the room', '')];
  for (const u of chat.online) if (u !== chat.me) options.push(new Option(`DM ${u}`, u));
  ui.to.replaceChildren(...options);
  ui.to.value = options.some((o) => o.value === chosen) ? chosen : '';
}

// One handler per event the app sends ({"event":…,"data":…} frames).
const onServer = {
  welcome(message) {
    system(`connected as ${message.user}`);
    chat.me = message.user;
    chat.online = message.online;
    chat.room = message.room;
    if (chat.room) chat.wantedRoom = chat.room.name;
    else if (chat.wantedRoom) send('join', { room: chat.wantedRoom });
  },
  presence(message) {
    const before = new Set(chat.online);
    const after = new Set(message.online);
    for (const u of after) if (!before.has(u)) system(`${u} is online`);
    for (const u of before) if (!after.has(u)) system(`${u} went offline`);
    chat.online = message.online;
  },
  room(message) {
    if (chat.room === null || chat.room.name !== message.room.name) system(`you are in #${message.room.name}`);
    chat.room = message.room;
    chat.wantedRoom = message.room.name;
    if (message.joined && message.joined !== chat.me) system(`${message.joined} joined #${message.room.name}`);
    if (message.left) system(`${message.left} left #${message.room.name}`);
  },
  said(message) {
    line('said', [['from', `${message.from}:`], ['', message.text]]);
  },
  dm(message) {
    line('dm', [['from', `${message.from} → ${message.to}:`], ['', message.text]]);
  },
  kicked(message) {
    chat.kickedBy = message.by;
  },
  error(message) {
    line('error', [['', message.message]]);
  },
};

function describeClose({ code, reason }) {
  switch (code) {
    case 1000: return chat.kickedBy ? `kicked by ${chat.kickedBy}` : `closed by the app (${reason || 'no reason'})`;
    case 1001: return 'the gateway is restarting';
    case 1009: return 'message too big';
    case 1013: return 'too slow to keep up';
    case 4408: return 'closed after being idle';
    case 1006: return 'connection lost';
    default: return `closed (${code}${reason ? ` ${reason}` : ''})`;
  }
}

/** The library reconnects by itself; it gives up on 1000 (this app closes only to kick) and on a refused login. */
function onState(state, detail) {
  if (state === 'open') {
    chat.connected = true;
    setStatus('open', 'connected');
    return;
  }
  if (state === 'connecting') return;
  chat.room = null;
  chat.online = [];
  render();
  if (chat.connected) system(describeClose(detail));
  chat.connected = false;
  if (state === 'reconnecting') {
    setStatus('connecting', `reconnecting in ${Math.ceil(detail.delayMs / 1000)} s`);
    return;
  }
  if (detail.status === 401) {
    // The login proxy refuses an upgrade without a session; the library learnt the 401 the browser hides.
    setStatus('closed', 'logged out');
    system('your session has ended: log in again');
    window.location.assign('/login');
    return;
  }
  setStatus('closed', detail.code === 1000 ? (chat.kickedBy ? 'kicked' : 'closed by app') : (detail.error ?? 'closed'));
  ui.reconnect.hidden = false;
}

function connect() {
  ui.reconnect.hidden = true;
  chat.kickedBy = null;
  setStatus('connecting', 'connecting');
  chat.ws = createClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  for (const [event, handle] of Object.entries(onServer)) {
    chat.ws.on(event, (data) => {
      handle(data);
      render();
    });
  }
  chat.ws.onState(onState);
}

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = ui.roomInput.value.trim();
  if (room) send('join', { room });
});
ui.sayForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text) return;
  const sent = ui.to.value ? send('dm', { to: ui.to.value, text }) : send('say', { text });
  if (sent) ui.text.value = '';
});
ui.reconnect.addEventListener('click', connect);

connect();
