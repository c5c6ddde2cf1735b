// The page's entry: sign-in, the section shown for the URL's #hash, and the refresh of
// the list views while they are on screen. The hash names a section only; it never
// holds a key or token.
import { api, credentials } from './api.js';
import { $ } from './dom.js';
import { loadAdmin } from './admin.js';
import { initHistory, loadHistory } from './history.js';
import { initPlayground } from './playground.js';
import { connectRealtime, disconnectRealtime } from './realtime.js';
import { initWebhooks, loadDeliveries, openWebhooks } from './webhooks.js';

const VIEWS = ['playground', 'history', 'webhooks', 'admin'];
const REFRESH_MS = { history: 3000, webhooks: 3000, admin: 5000 };
let refreshTimer = null;
let ready = false;

function show(view) {
  for (const v of ['signin', ...VIEWS]) $(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// `first`: the view was just opened (the webhook form is filled only then, so a refresh
// never overwrites what the user is typing).
async function refresh(view, first) {
  if (view === 'history') await loadHistory();
  if (view === 'admin') await loadAdmin();
  if (view === 'webhooks') await (first ? openWebhooks() : loadDeliveries(true));
}

function route() {
  clearTimeout(refreshTimer);
  if (!ready) return;
  const view = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'playground';
  show(view);
  refresh(view, true);
  // Lists follow changes while shown; each refresh is scheduled after the last ends.
  const every = REFRESH_MS[view];
  if (every) {
    const tick = async () => {
      if (location.hash.slice(1) !== view) return;
      await refresh(view);
      refreshTimer = setTimeout(tick, every);
    };
    refreshTimer = setTimeout(tick, every);
  }
}

async function start() {
  $('nav').hidden = false;
  const tasks = await initPlayground();
  initHistory(tasks);
  initWebhooks();
  ready = true;
  // Live updates are a bonus: without them (no pusher-js, no WebSocket) jobs are polled.
  connectRealtime().catch(() => {});
  route();
}

async function signIn(event) {
  event.preventDefault();
  const key = $('signin-key').value.trim();
  const admin = $('signin-admin').value.trim();
  credentials.save(key, admin);
  $('signin-error').textContent = '';
  try {
    await api('/api/v1/client/realtime');  // any cheap authenticated call proves the key
  } catch (e) {
    credentials.clear();
    $('signin-error').textContent = e.status === 401 ? 'That API key is not valid here.' : e.message;
    $('signin-key').focus();
    return;
  }
  $('signin-form').reset();
  await start();
}

function signOut() {
  credentials.clear();
  disconnectRealtime();
  location.hash = '';
  location.reload();
}

window.addEventListener('hashchange', route);
$('signin-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', signOut);
// A kept key that the server no longer accepts is forgotten; any other failure (the
// server is down) keeps it for the next load.
if (credentials.apiKey) {
  start().catch((e) => {
    if (e.status === 401 || e.status === 403) credentials.clear();
    $('nav').hidden = true;
    show('signin');
    $('signin-error').textContent = e.message;
  });
}
else { show('signin'); $('signin-key').focus(); }
