// The client's jobs, newest first, paged and filtered by status and task; a running
// job can be cancelled and any job opened in the playground's panel.
import { api, query } from './api.js';
import { $, el, table, when } from './dom.js';
import { openJob } from './playground.js';

const PER_PAGE = 20;
let page = 1;
let lastPage = 1;

export function notAvailable(notice, route) {
  notice.textContent = `Not available on this server (it has no ${route}).`;
}

export async function loadHistory() {
  const notice = $('history-notice');
  notice.textContent = '';
  const params = { page, per_page: PER_PAGE, status: $('history-status').value, task: $('history-task').value };
  let body;
  try {
    body = await api(`/api/v1/client/jobs${query(params)}`);
  } catch (e) {
    $('history-table').replaceChildren();
    // 405: the path exists only as a submit (POST /api/v1/client/{task}) on a server without the list.
    if (e.status === 404 || e.status === 405) notAvailable(notice, 'GET /api/v1/client/jobs');
    else notice.textContent = e.message;
    return;
  }
  lastPage = Math.max(1, body.meta.last_page);
  $('history-page').textContent = `Page ${body.meta.current_page} of ${lastPage} · ${body.meta.total} jobs`;
  $('history-prev').disabled = page <= 1;
  $('history-next').disabled = page >= lastPage;
  const rows = body.data.map((job) => {
    const running = job.status === 'pending' || job.status === 'processing';
    return el('tr', { 'data-request-id': job.request_id },
      el('td', { text: when(job.created_at) }),
      el('td', { text: job.task }),
      el('td', { text: job.model }),
      el('td', {}, el('span', { class: `badge ${job.status}`, text: job.status })),
      el('td', { text: `${Math.round(job.progress)}%` }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'open', text: 'Open', onclick: () => { location.hash = '#playground'; openJob(job.request_id, job); } }),
        running ? el('button', {
          type: 'button', class: 'cancel', text: 'Cancel',
          onclick: async () => {
            try { await api(`/api/v1/client/request-cancel/${encodeURIComponent(job.request_id)}`, { method: 'POST' }); } catch (e) { notice.textContent = e.message; }
            loadHistory();
          },
        }) : null));
  });
  $('history-table').replaceChildren(...table(['Created', 'Task', 'Model', 'Status', 'Progress', ''], rows));
  if (!rows.length) notice.textContent = 'No jobs match.';
}

export function initHistory(tasks) {
  $('history-task').append(...tasks.map((t) => el('option', { value: t, text: t })));
  $('history-filters').onsubmit = (e) => { e.preventDefault(); page = 1; loadHistory(); };
  $('history-prev').onclick = () => { if (page > 1) { page--; loadHistory(); } };
  $('history-next').onclick = () => { if (page < lastPage) { page++; loadHistory(); } };
}
