// Shared by every page of Northwind, the demo partner app: the user
// switcher, the event log and the status line. Pages import it as a module;
// the React page's bundle includes it.

const settings = document.body.dataset;

/** Where Oriel runs, and the only origin whose messages the pages trust. */
export const orielURL = settings.oriel;
export const orielOrigin = new URL(orielURL).origin;

/** The signed-in user: { id, name, initials, role, customer }. */
export let currentUser = {
  id: settings.user,
  name: settings.userName,
  initials: settings.initials,
  role: settings.role,
  customer: settings.customer,
};

const userListeners = [];

/**
 * Calls fn with every user the switcher signs in, until the returned
 * function is called. While a page listens, it switches users in place (the
 * SDK's contextKey); otherwise the page reloads for the new user.
 */
export function onUserChange(fn) {
  userListeners.push(fn);
  return () => userListeners.splice(userListeners.indexOf(fn), 1);
}

// The switcher is a form that posts to /session. Without listeners it simply
// submits (the page reloads for the new user, with freshly signed links).
const switcher = document.querySelector('.switcher');
const select = switcher?.querySelector('select');
select?.addEventListener('change', async () => {
  if (select.value === currentUser.id) return;
  if (!userListeners.length) {
    switcher.submit();
    return;
  }
  select.disabled = true;
  try {
    const res = await fetch('/session', {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ user: select.value }),
    });
    if (!res.ok) throw new Error(`/session answered ${res.status}`);
    currentUser = await res.json();
    document.body.dataset.user = currentUser.id;
    for (const el of document.querySelectorAll('[data-bind]')) el.textContent = currentUser[el.dataset.bind];
    note(`Signed in as ${currentUser.name} (${currentUser.role}, ${currentUser.customer})`);
    userListeners.forEach((fn) => fn(currentUser));
  } catch (err) {
    note(`Could not switch users: ${err.message}`, 'error');
  } finally {
    select.disabled = false;
  }
});

// The event log lists every message from Oriel, newest first.
const list = document.getElementById('eventlog');
const empty = document.getElementById('eventlog-empty');
const maxEntries = 200;

if (list) {
  window.addEventListener('message', (event) => {
    if (event.origin !== orielOrigin) return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      message = { type: '(not JSON)', payload: String(event.data) };
    }
    append(message?.type ?? '(no type)', message?.payload, kindOf(message));
  });
  document.getElementById('eventlog-clear')?.addEventListener('click', () => {
    list.replaceChildren();
    empty.hidden = false;
  });
}

/** Adds a line of the page's own to the log (not a message from Oriel). */
export function note(text, kind = 'note') {
  append('Northwind', text, kind);
}

/** The colour of a log entry. */
function kindOf(message) {
  switch (message?.type) {
    case 'connectionStatusChange':
      return message.payload?.error ? 'error' : message.payload?.connected ? 'good' : 'warn';
    case 'error':
    case 'authError':
    case 'tokenExpired':
      return 'error';
    case 'heightChange':
      return 'quiet';
    default:
      return 'info';
  }
}

function append(type, payload, kind) {
  if (!list) return;
  const item = document.createElement('li');
  item.className = `event event-${kind}`;
  const time = document.createElement('time');
  time.textContent = clock(new Date());
  const name = document.createElement('span');
  name.className = 'event-type';
  name.textContent = type;
  item.append(time, name);
  if (payload !== undefined) item.append(describe(payload));
  list.prepend(item);
  while (list.children.length > maxEntries) list.lastElementChild.remove();
  empty.hidden = true;
}

/** Shows a payload: an object as one line per member, anything else as is. */
function describe(payload) {
  if (payload === null || typeof payload !== 'object') {
    const text = document.createElement('p');
    text.className = 'event-payload';
    text.textContent = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return text;
  }
  const members = document.createElement('dl');
  members.className = 'event-payload';
  for (const [key, value] of Object.entries(payload)) {
    const name = document.createElement('dt');
    name.textContent = key;
    const shown = document.createElement('dd');
    shown.textContent = JSON.stringify(value);
    members.append(name, shown);
  }
  return members;
}

function clock(d) {
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Shows a connection's status in the page's status line; null clears it. */
export function setStatus(status) {
  const el = document.getElementById('statusId');
  if (!el) return;
  if (!status) {
    el.textContent = '—';
    delete el.dataset.state;
    return;
  }
  el.textContent = status.error || (status.connected ? 'Connected' : 'Disconnected');
  el.dataset.state = status.error ? 'error' : status.connected ? 'connected' : 'disconnected';
}

/** Fetches a token bound to the signed-in user from Northwind's backend. */
export async function fetchToken() {
  const res = await fetch('/api/oriel-token', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`/api/oriel-token answered ${res.status}`);
  const token = await res.json();
  note(`Fetched an access token for ${currentUser.name}, valid ${Math.round(token.expiresIn / 60)} min`);
  return token;
}
