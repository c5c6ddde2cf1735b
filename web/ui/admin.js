// The operator's view, with the admin token: workers online, queue depth and oldest
// waiting job per model, recent failures, clients and worker tokens. Each panel stands
// alone, so a server without one of the routes still shows the others.
import { api, credentials, query } from './api.js';
import { $, el, table, when } from './dom.js';

const seconds = (s) => (s === null || s === undefined ? '—' : `${Math.round(s)} s`);

const PANELS = [
  {
    id: 'workers', title: 'Workers', route: '/api/v1/admin/workers',
    headers: ['Worker', 'Token', 'Models', 'Current jobs', 'Last heartbeat', 'Online'],
    row: (w) => [w.worker_id, w.token_name, w.models.join(', '), w.current_jobs.length ? w.current_jobs.join(', ') : '—', when(w.last_seen_at), w.online ? 'online' : 'offline'],
  },
  {
    id: 'queue', title: 'Queue', route: '/api/v1/admin/queue',
    headers: ['Model', 'Pending', 'Processing', 'Oldest waiting since', 'Oldest wait'],
    row: (q) => [q.model, String(q.pending), String(q.processing), when(q.oldest_pending_at), seconds(q.oldest_wait_s)],
  },
  {
    id: 'failures', title: 'Recent failures', route: '/api/v1/admin/jobs', params: { status: 'error', per_page: 10 },
    headers: ['Finished', 'Client', 'Task', 'Model', 'Error', 'Request'],
    row: (j) => [when(j.finished_at), j.client_id, j.task, j.model, j.error || '—', j.request_id],
  },
  {
    id: 'clients', title: 'Clients', route: '/api/v1/admin/clients',
    headers: ['Client', 'Name', 'State', 'Created'],
    row: (c) => [c.client_id, c.name, c.disabled ? 'disabled' : 'active', when(c.created_at)],
  },
  {
    id: 'tokens', title: 'Worker tokens', route: '/api/v1/admin/worker-tokens',
    headers: ['Id', 'Name', 'Models', 'Created'],
    row: (t) => [String(t.id), t.name, t.models.length ? t.models.join(', ') : 'all', when(t.created_at)],
  },
];

async function loadPanel(panel, box) {
  const notice = el('p', { class: 'notice', role: 'status' });
  let body;
  try {
    body = await api(`${panel.route}${query(panel.params || {})}`, { admin: true });
  } catch (e) {
    notice.textContent = e.status === 404 || e.status === 405 ? `Not available on this server (it has no GET ${panel.route}).` : e.message;
    box.replaceChildren(el('h3', { text: panel.title }), notice);
    return;
  }
  const rows = body.data.map((item) => el('tr', {}, panel.row(item).map((cell) => el('td', { text: cell ?? '—' }))));
  if (!rows.length) notice.textContent = 'None.';
  box.replaceChildren(el('h3', { text: panel.title }), notice,
    el('div', { class: 'table-wrap' }, el('table', {}, table(panel.headers, rows))));
}

export async function loadAdmin() {
  const container = $('admin-panels');
  if (!credentials.adminToken) {
    $('admin-notice').textContent = 'Sign in with an admin token to see this view.';
    container.replaceChildren();
    return;
  }
  $('admin-notice').textContent = '';
  const boxes = PANELS.map((p) => container.querySelector(`#admin-${p.id}`) || el('section', { id: `admin-${p.id}`, class: 'panel' }));
  container.replaceChildren(...boxes);
  await Promise.all(PANELS.map((p, i) => loadPanel(p, boxes[i])));
}
