// The playground: task and model pickers, the model's form, the price before
// submitting, the submit, and the job followed live until its result is shown.
import { api, ApiError } from './api.js';
import { $, el } from './dom.js';
import { buildParamFields } from './forms.js';
import { followJob, realtimeState } from './realtime.js';
import { renderResult } from './result.js';
import { showDeliveriesFor } from './webhooks.js';

let models = [];
let form = null;
let stopFollowing = () => {};
let priceTimer = null;
let priceSeq = 0;

// Every model of the catalog (the list is paged, at most 100 a page).
async function loadModels() {
  const all = [];
  for (let page = 1; ; page++) {
    const body = await api(`/api/v1/client/models?per_page=100&page=${page}`);
    all.push(...body.data);
    if (!body.meta || page >= body.meta.last_page) break;
  }
  return all;
}

export function tasksOf(list = models) {
  return [...new Set(list.flatMap((m) => m.inference_types))].sort();
}

function fillModels() {
  const task = $('task-select').value;
  const select = $('model-select');
  select.replaceChildren(...models.filter((m) => m.inference_types.includes(task))
    .map((m) => el('option', { value: m.slug, text: m.name === m.slug ? m.name : `${m.name} (${m.slug})` })));
  showModel();
}

function showModel() {
  const model = models.find((m) => m.slug === $('model-select').value);
  if (!model) return;
  $('model-description').textContent = model.description || '';
  form = buildParamFields($('param-fields'), model);
  $('form-error').textContent = '';
  schedulePrice();
}

function schedulePrice() {
  clearTimeout(priceTimer);
  priceTimer = setTimeout(updatePrice, 250);
}

// The price of what the form holds now; a stale answer (an older request) is dropped.
async function updatePrice() {
  if (!form) return;
  const seq = ++priceSeq;
  const task = $('task-select').value;
  try {
    const { data } = await api(`/api/v1/client/${encodeURIComponent(task)}/price-calculation`,
      { method: 'POST', body: form.values({ withFiles: false }) });
    if (seq === priceSeq) $('price').textContent = `Price: ${data.price} ${data.currency}`;
  } catch (e) {
    if (seq === priceSeq) $('price').textContent = e instanceof ApiError && e.status === 422 ? 'Price: fix the fields first' : '';
  }
}

async function submit(event) {
  event.preventDefault();
  if (!form) return;
  const task = $('task-select').value;
  const button = $('submit-job');
  button.disabled = true;
  form.clearErrors();
  $('form-error').textContent = '';
  try {
    const { data } = await api(`/api/v1/client/${encodeURIComponent(task)}`, { method: 'POST', body: form.body() });
    openJob(data.request_id, { task, model: form.model.slug });
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) {
      const rest = form.showErrors(e.errors);
      $('form-error').textContent = rest.length ? rest.join(' ') : '';
    } else {
      $('form-error').textContent = e.message;
    }
  } finally {
    button.disabled = false;
  }
}

// Shows a job in the panel and follows it until it is final (also from History).
export function openJob(requestId, { task = '', model = '' } = {}) {
  stopFollowing();
  const panel = $('job-panel');
  const bar = el('progress', { id: 'job-progress', max: 100, value: 0, 'aria-label': 'Progress' });
  const status = el('p', { id: 'job-status', class: 'status', text: 'pending' });
  const preview = el('img', { id: 'job-preview', class: 'preview', alt: 'Preview', hidden: true });
  const result = el('div', { id: 'job-result' });
  const cancel = el('button', { type: 'button', id: 'job-cancel', text: 'Cancel' });
  const deliveries = el('button', {
    type: 'button', text: 'Webhook deliveries',
    onclick: () => { showDeliveriesFor(requestId); location.hash = '#webhooks'; },
  });
  panel.replaceChildren(
    el('h3', { text: `${task || 'Job'} ${model}`.trim() }),
    el('p', { class: 'hint mono', id: 'job-id', text: requestId }),
    bar, status, el('div', { class: 'row' }, cancel, deliveries), preview, result);
  cancel.addEventListener('click', async () => {
    try { await api(`/api/v1/client/request-cancel/${encodeURIComponent(requestId)}`, { method: 'POST' }); } catch (e) { status.textContent = e.message; }
  });
  stopFollowing = followJob(requestId, {
    onUpdate: ({ status: s, progress, preview: p, queue }) => {
      bar.value = Number.isFinite(progress) ? progress : 0;
      const place = Number.isInteger(queue) ? `, ${queue} ahead in the queue` : '';
      status.textContent = `${s} ${bar.value.toFixed(0)}%${place} · ${realtimeState()}`;
      if (p) { preview.src = p; preview.hidden = false; }
    },
    onFinal: (job) => {
      bar.value = job.status === 'done' ? 100 : job.progress;
      status.textContent = job.status === 'done'
        ? `done in ${((job.processing_time_ms ?? 0) / 1000).toFixed(1)} s`
        : `error: ${job.error || 'failed'}`;
      status.dataset.final = job.status;
      cancel.hidden = true;
      preview.hidden = true;
      result.replaceChildren(renderResult(job));
    },
    onError: (e) => { status.textContent = e.message; },
  });
}

export async function initPlayground() {
  models = await loadModels();
  const tasks = tasksOf();
  $('task-select').replaceChildren(...tasks.map((t) => el('option', { value: t, text: t })));
  if (tasks.includes('txt2img')) $('task-select').value = 'txt2img';
  $('task-select').onchange = fillModels;
  $('model-select').onchange = showModel;
  $('param-fields').oninput = schedulePrice;
  $('param-fields').onchange = schedulePrice;
  $('job-form').onsubmit = submit;
  // Ctrl/Cmd+Enter submits from a text area, where Enter makes a new line.
  $('job-form').onkeydown = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.tagName === 'TEXTAREA') $('job-form').requestSubmit();
  };
  fillModels();
  return tasks;
}
