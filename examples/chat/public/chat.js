// The chat page's client: one WebSocket to /ws, Olares keep-alive pings, reconnect with backoff.
'use strict';

const PING_INTERVAL_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

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
  socket: null,
  pingTimer: null,
  retryTimer: null,
  attempts: 0,
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

function send(message) {
  if (chat.socket && chat.socket.readyState === WebSocket.OPEN) {
    chat.socket.send(JSON.stringify(message));
    return true;
  }
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
    kick.addEventListener('click', () => send({ type: 'kick', user }));
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

function onServerMessage(message) {
  switch (message.type) {
    case 'welcome':
      system(`connected as ${message.user}`);
      chat.me = message.user;
      chat.online = message.online;
      chat.room = message.room;
      if (chat.room) chat.wantedRoom = chat.room.name;
      else if (chat.wantedRoom) send({ type: 'join', room: chat.wantedRoom });
      break;
    case 'presence': {
      const before = new Set(chat.online);
      const after = new Set(message.online);
      for (const u of after) if (!before.has(u)) system(`${u} is online`);
      for (const u of before) if (!after.has(u)) system(`${u} went offline`);
      chat.online = message.online;
      break;
    }
    case 'room':
      if (chat.room === null || chat.room.name !== message.room.name) system(`you are in #${message.room.name}`);
      chat.room = message.room;
      chat.wantedRoom = message.room.name;
      if (message.joined && message.joined !== chat.me) system(`${message.joined} joined #${message.room.name}`);
      if (message.left) system(`${message.left} left #${message.room.name}`);
      break;
    case 'said':
      line('said', [['from', `${message.from}:`], ['', message.text]]);
      break;
    case 'dm':
      line('dm', [['from', `${message.from} → ${message.to}:`], ['', message.text]]);
      break;
    case 'kicked':
      chat.kickedBy = message.by;
      break;
    case 'error':
      line('error', [['', message.message]]);
      break;
    default:
      if (message.event === 'pong') return; // the gateway's answer to our keep-alive
  }
  render();
}

function describeClose(event) {
  switch (event.code) {
    case 1000: return chat.kickedBy ? `kicked by ${chat.kickedBy}` : `closed by the app (${event.reason || 'no reason'})`;
    case 1001: return 'the gateway is restarting';
    case 1009: return 'message too big';
    case 1013: return 'too slow to keep up';
    case 4408: return 'closed after being idle';
    case 1006: return 'connection lost';
    default: return `closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`;
  }
}

function scheduleReconnect() {
  const delay = Math.round(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** chat.attempts) * (0.5 + Math.random() / 2));
  chat.attempts += 1;
  setStatus('connecting', `reconnecting in ${Math.ceil(delay / 1000)} s`);
  chat.retryTimer = setTimeout(connect, delay);
}

async function onClose(event, opened) {
  clearInterval(chat.pingTimer);
  chat.socket = null;
  chat.room = null;
  chat.online = [];
  render();
  if (opened) system(describeClose(event));
  if (event.code === 1000) {
    // Closed through the control API: this app does that only for a kick, so do not come back on our own.
    setStatus('closed', chat.kickedBy ? 'kicked' : 'closed by app');
    ui.reconnect.hidden = false;
    return;
  }
  if (!opened) {
    // The proxy refuses an upgrade without a session with 401; the browser only reports a failure.
    const session = await fetch('/session').catch(() => null);
    if (session && session.status === 401) {
      setStatus('closed', 'logged out');
      system('your session has ended: log in again');
      window.location.assign('/login');
      return;
    }
  }
  scheduleReconnect();
}

function connect() {
  clearTimeout(chat.retryTimer);
  ui.reconnect.hidden = true;
  chat.kickedBy = null;
  setStatus('connecting', 'connecting');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  chat.socket = socket;
  let opened = false;
  socket.addEventListener('open', () => {
    opened = true;
    chat.attempts = 0;
    setStatus('open', 'connected');
    // The Olares keep-alive: the gateway answers {"event":"pong"} and closes sockets idle for too long (4408).
    chat.pingTimer = setInterval(() => socket.send(JSON.stringify({ event: 'ping' })), PING_INTERVAL_MS);
  });
  socket.addEventListener('message', (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message && typeof message === 'object') onServerMessage(message);
  });
  socket.addEventListener('close', (event) => { void onClose(event, opened); });
}

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = ui.roomInput.value.trim();
  if (room) send({ type: 'join', room });
});
ui.sayForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text) return;
  const sent = ui.to.value ? send({ type: 'dm', to: ui.to.value, text }) : send({ type: 'say', text });
  if (sent) ui.text.value = '';
});
ui.reconnect.addEventListener('click', () => {
  chat.attempts = 0;
  connect();
});

connect();
