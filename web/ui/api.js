// Calls to genq's API with the signed-in credentials. The API key and the admin token
// live in localStorage and travel only in the Authorization header: never in a URL
// (URLs end up in logs and history), never in a log line.
const KEY_ITEM = 'genq.apiKey';
const ADMIN_ITEM = 'genq.adminToken';

export const credentials = {
  get apiKey() { return localStorage.getItem(KEY_ITEM) || ''; },
  get adminToken() { return localStorage.getItem(ADMIN_ITEM) || ''; },
  save(apiKey, adminToken) {
    localStorage.setItem(KEY_ITEM, apiKey);
    if (adminToken) localStorage.setItem(ADMIN_ITEM, adminToken);
    else localStorage.removeItem(ADMIN_ITEM);
  },
  clear() {
    localStorage.removeItem(KEY_ITEM);
    localStorage.removeItem(ADMIN_ITEM);
  },
};

// A non-2xx answer: `errors` holds the 422 field messages ({"field":["…"]}).
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.errors = (body && body.errors) || {};
  }
}

// `body`: a plain object (sent as JSON) or FormData (multipart, for file inputs).
// `admin`: authenticate with the admin token instead of the API key.
export async function api(path, { method = 'GET', body, admin = false } = {}) {
  const token = admin ? credentials.adminToken : credentials.apiKey;
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, cache: 'no-store', credentials: 'omit' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { message: text }; }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

// A query string from the non-empty values of `params`.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
