// A finished job's result shown as what it is: an image at its own size, an audio or
// video player, text, or an embedding's size and first values; with a download link.
import { el } from './dom.js';

const IMAGE = /\.(png|jpe?g|webp|gif|bmp)$/i;
const AUDIO = /\.(mp3|wav|ogg|oga|flac|m4a|aac)$/i;
const VIDEO = /\.(mp4|webm|mov|mkv)$/i;

function fileName(url) {
  try { return decodeURIComponent(new URL(url, location.href).pathname.split('/').pop()); } catch { return ''; }
}

function embedding(text) {
  try {
    const doc = JSON.parse(text);
    const vector = Array.isArray(doc) ? doc : doc && (doc.embedding || (doc.data && doc.data[0] && doc.data[0].embedding));
    if (Array.isArray(vector) && vector.every((x) => typeof x === 'number')) return vector;
  } catch { /* not JSON: plain text */ }
  return null;
}

export function renderResult(job) {
  const parts = [];
  const name = job.result_url ? fileName(job.result_url) : '';
  if (typeof job.result === 'string') {
    const vector = embedding(job.result);
    if (vector) {
      parts.push(el('p', { class: 'result-embedding', text: `Embedding of ${vector.length} values` }),
        el('pre', { class: 'result-text', text: `[${vector.slice(0, 8).map((x) => x.toFixed(6)).join(', ')}${vector.length > 8 ? ', …' : ''}]` }));
    } else {
      parts.push(el('pre', { class: 'result-text', text: job.result }));
    }
  } else if (job.result_url && IMAGE.test(name)) {
    const caption = el('figcaption', { class: 'hint' });
    const img = el('img', { class: 'result-image', src: job.result_url, alt: `Result of ${job.task} ${job.request_id}` });
    img.addEventListener('load', () => { caption.textContent = `${img.naturalWidth} × ${img.naturalHeight}`; });
    parts.push(el('figure', {}, img, caption));
  } else if (job.result_url && AUDIO.test(name)) {
    parts.push(el('audio', { class: 'result-audio', controls: true, src: job.result_url }));
  } else if (job.result_url && VIDEO.test(name)) {
    parts.push(el('video', { class: 'result-video', controls: true, src: job.result_url }));
  }
  if (job.result_url) {
    parts.push(el('p', {}, el('a', { class: 'download', href: job.result_url, download: name || true, rel: 'noopener' }, `Download ${name || 'result'}`)));
  }
  return el('div', { class: 'result' }, parts);
}
