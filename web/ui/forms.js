// A model's form, generated from its catalog entry (GET /api/v1/client/models):
// one field per parameter with its type, bounds, default and description, and the
// 422 messages shown beside the field they name. The browser's own checks are off
// (novalidate on the form): the server's messages are the ones that count.
import { el } from './dom.js';

const LONG_TEXT = new Set(['prompt', 'negative_prompt', 'text', 'input']);
const SIMPLE_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'file']);

function control(p, id) {
  const describedBy = `${id}-hint ${id}-error`;
  const common = { id, name: p.name, 'aria-describedby': describedBy };
  if (p.type === 'file') {
    const accept = /audio/.test(p.name) ? 'audio/*' : /video/.test(p.name) ? 'video/*'
      : /image/.test(p.name) ? 'image/*' : 'audio/*,video/*';
    return el('input', { ...common, type: 'file', accept, multiple: p.max_files > 1 });
  }
  if (p.type === 'boolean') {
    return el('input', { ...common, type: 'checkbox', checked: p.default === true });
  }
  if (Array.isArray(p.allowed) && p.allowed.length) {
    const select = el('select', common, p.required ? null : el('option', { value: '', text: '(default)' }),
      p.allowed.map((v) => el('option', { value: String(v), text: String(v) })));
    if (p.default !== undefined) select.value = String(p.default);
    return select;
  }
  if (p.type === 'integer' || p.type === 'number') {
    return el('input', {
      ...common, type: 'number', inputmode: p.type === 'integer' ? 'numeric' : 'decimal',
      min: p.min, max: p.max, step: p.step ?? (p.type === 'integer' ? 1 : 'any'), value: p.default,
    });
  }
  if (!SIMPLE_TYPES.has(p.type)) {
    // Structured parameters (loras: a list of objects) are typed as JSON.
    return el('textarea', { ...common, rows: 2, placeholder: 'JSON', spellcheck: 'false', 'data-json': 'true' });
  }
  if (LONG_TEXT.has(p.name) || (p.max_length ?? 0) > 200) {
    const area = el('textarea', { ...common, rows: 3, maxlength: p.max_length });
    if (p.default !== undefined) area.value = String(p.default);
    return area;
  }
  return el('input', { ...common, type: 'text', maxlength: p.max_length, value: p.default });
}

function hint(p) {
  const bits = [];
  if (p.description) bits.push(p.description);
  const lo = p.min ?? p.min_length;
  const hi = p.max ?? p.max_length;
  const unit = p.min_length !== undefined || p.max_length !== undefined ? ' characters' : '';
  if (lo !== undefined && hi !== undefined) bits.push(`${lo}–${hi}${unit}`);
  else if (hi !== undefined) bits.push(`at most ${hi}${unit}`);
  else if (lo !== undefined) bits.push(`at least ${lo}${unit}`);
  if (p.default !== undefined) bits.push(`default ${p.default}`);
  if (p.random_seed !== undefined) bits.push(`${p.random_seed} = random`);
  return bits.join(' · ');
}

// Renders the model's parameters into `container`; returns the form's handle.
export function buildParamFields(container, model) {
  container.replaceChildren();
  const fields = new Map();
  for (const p of model.parameters || []) {
    const id = `param-${p.name}`;
    const input = control(p, id);
    const label = el('label', { for: id }, p.name, p.required ? el('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null);
    const wrap = el('div', { class: `field field-${p.type}`, 'data-field': p.name },
      p.type === 'boolean' ? el('div', { class: 'check' }, input, label) : [label, input],
      el('p', { class: 'hint', id: `${id}-hint`, text: hint(p) }),
      el('p', { class: 'error', id: `${id}-error`, role: 'alert' }));
    if (p.required) input.setAttribute('aria-required', 'true');
    container.append(wrap);
    fields.set(p.name, { spec: p, input, wrap });
  }
  return new ParamForm(model, fields);
}

// JSON the user typed; text that is not JSON is sent as it is, for the server to name.
function parseJson(raw) {
  try { return JSON.parse(raw); } catch { return raw; }
}

class ParamForm {
  constructor(model, fields) {
    this.model = model;
    this.fields = fields;
  }

  hasFiles() {
    return [...this.fields.values()].some((f) => f.spec.type === 'file' && f.input.files.length);
  }

  // The request's fields: what the user filled in, typed as the catalog says. Empty
  // optional fields are left out, so the server applies its defaults.
  values({ withFiles = true } = {}) {
    const out = { model: this.model.slug };
    for (const [name, { spec, input }] of this.fields) {
      if (spec.type === 'file') {
        if (withFiles && input.files.length) out[name] = [...input.files];
        continue;
      }
      if (spec.type === 'boolean') { out[name] = input.checked; continue; }
      const raw = input.value;
      if (raw === '') continue;
      const isNumeric = spec.type === 'integer' || spec.type === 'number';
      if (input.dataset.json) { out[name] = parseJson(raw); continue; }
      out[name] = isNumeric && raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    }
    return out;
  }

  // JSON, or multipart when a file is attached (arrays of files as name[]).
  body() {
    const v = this.values();
    if (!this.hasFiles()) return v;
    const form = new FormData();
    for (const [name, value] of Object.entries(v)) {
      if (Array.isArray(value)) {
        const multi = value.length > 1;
        for (const file of value) form.append(multi ? `${name}[]` : name, file);
      } else form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return form;
  }

  clearErrors() {
    for (const { wrap, input } of this.fields.values()) {
      wrap.classList.remove('invalid');
      input.removeAttribute('aria-invalid');
      wrap.querySelector('.error').textContent = '';
    }
  }

  // Puts each 422 message beside its field ("images.0" belongs to "images"); returns
  // the messages no field of the form owns, and focuses the first invalid field.
  showErrors(errors) {
    this.clearErrors();
    const unplaced = [];
    let first = null;
    for (const [key, messages] of Object.entries(errors)) {
      const f = this.fields.get(key) || this.fields.get(key.split('.')[0].replace(/\[\]$/, ''));
      if (!f) { unplaced.push(...messages); continue; }
      f.wrap.classList.add('invalid');
      f.input.setAttribute('aria-invalid', 'true');
      f.wrap.querySelector('.error').textContent = messages.join(' ');
      first ??= f.input;
    }
    if (first) first.focus();
    return unplaced;
  }
}
