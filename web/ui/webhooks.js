// The account webhook (URL and events), secret rotation, and the delivery log of a
// job with every attempt and a redeliver button per delivery.
import { api, ApiError } from './api.js';
import { $, el, table, when } from './dom.js';

function showFieldErrors(errors) {
  for (const name of ['url', 'events']) $(`error-${name}`).textContent = '';
  for (const [key, messages] of Object.entries(errors)) {
    const target = $(`error-${key.split('.')[0]}`) || $('webhook-saved');
    target.textContent = messages.join(' ');
  }
}

async function loadSettings() {
  const { data } = await api('/api/v1/client/account/webhook');
  $('webhook-url').value = data.url || '';
  for (const box of document.querySelectorAll('#webhook-form input[name=events]')) box.checked = data.events.includes(box.value);
}

async function saveSettings(event) {
  event.preventDefault();
  const url = $('webhook-url').value.trim();
  const events = [...document.querySelectorAll('#webhook-form input[name=events]:checked')].map((b) => b.value);
  showFieldErrors({});
  try {
    await api('/api/v1/client/account/webhook', { method: 'PUT', body: { url: url || null, events } });
    $('webhook-saved').textContent = 'Saved.';
    await loadSettings();
  } catch (e) {
    $('webhook-saved').textContent = '';
    if (e instanceof ApiError && e.status === 422) showFieldErrors(e.errors);
    else $('webhook-saved').textContent = e.message;
  }
}

async function rotateSecret() {
  if (!confirm('Rotate the webhook secret? The old one keeps signing for the overlap window.')) return;
  try {
    const { data } = await api('/api/v1/client/account/webhook/rotate-secret', { method: 'POST' });
    const shown = $('webhook-secret');
    shown.hidden = false;
    shown.textContent = `New secret (shown once): ${data.webhook_secret} · the previous one signs until ${when(data.previous_secret_expires_at)}`;
  } catch (e) {
    $('webhook-saved').textContent = e.message;
  }
}

function attemptsList(delivery) {
  if (!delivery.attempts.length) return el('p', { class: 'hint', text: 'No attempt yet.' });
  return el('ol', { class: 'attempts' }, delivery.attempts.map((a) => el('li', {
    text: `#${a.attempt} ${when(a.at)} · ${a.http_status ?? 'no answer'} · ${a.latency_ms} ms${a.error ? ` · ${a.error}` : ''}`,
  })));
}

// `quiet`: a background refresh, which says nothing when no request id is entered.
export async function loadDeliveries(quiet = false) {
  const requestId = $('deliveries-request').value.trim();
  const notice = $('deliveries-notice');
  if (!requestId) { if (!quiet) notice.textContent = 'Enter a request id (History lists them).'; return; }
  let body;
  try {
    body = await api(`/api/v1/client/webhook-deliveries?request_id=${encodeURIComponent(requestId)}`);
  } catch (e) {
    notice.textContent = e.message;
    $('deliveries').replaceChildren();
    return;
  }
  notice.textContent = body.data.length ? '' : 'No deliveries for this job (no webhook target when it ran).';
  const rows = body.data.map((d) => el('tr', { 'data-delivery-id': d.delivery_id },
    el('td', { text: d.event }),
    el('td', { class: 'mono', text: d.url }),
    el('td', {}, el('span', { class: `badge ${d.state}`, text: d.state })),
    el('td', { class: 'attempt-count', text: String(d.attempt_count) }),
    el('td', {}, attemptsList(d)),
    el('td', {}, el('button', {
      type: 'button', class: 'redeliver', text: 'Redeliver',
      onclick: async () => {
        try { await api(`/api/v1/client/webhook-deliveries/${encodeURIComponent(d.delivery_id)}/redeliver`, { method: 'POST' }); } catch (e) { notice.textContent = e.message; }
        loadDeliveries();
      },
    }))));
  $('deliveries').replaceChildren(el('div', { class: 'table-wrap' },
    el('table', {}, table(['Event', 'URL', 'State', 'Attempts', 'Log', ''], rows))));
}

export function showDeliveriesFor(requestId) {
  $('deliveries-request').value = requestId;
}

export async function openWebhooks() {
  $('webhook-saved').textContent = '';
  try { await loadSettings(); } catch (e) { $('webhook-saved').textContent = e.message; }
  if ($('deliveries-request').value) await loadDeliveries();
}

export function initWebhooks() {
  $('webhook-form').onsubmit = saveSettings;
  $('rotate-secret').onclick = rotateSecret;
  $('deliveries-form').onsubmit = (e) => { e.preventDefault(); loadDeliveries(); };
}
