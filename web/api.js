// The one way the staff app talks to the JSON API: adds the JSON headers and
// the CSRF token, turns every failure into an ApiError, and sends the user
// back to the login screen when the session is gone.

const BASE = '/api/v1';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let unauthenticatedHandler = null;

// The token from POST /session or GET /me; sent as X-CSRF-Token on writes.
export function setCsrfToken(token) { csrfToken = token || null; }

// fn(error) runs when a request answers 401 unauthenticated (session
// expired or logged out elsewhere); the app shows the login screen.
export function onUnauthenticated(fn) { unauthenticatedHandler = fn; }

// A failed request: HTTP status (0 when the server was not reached), the
// API's stable error code, its message and, for validation_failed, the
// per-field reasons ({phone: "required"}). `body` is the whole error object.
export class ApiError extends Error {
  constructor(status, code, message, fields, body) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields || {};
    this.body = body || null;
  }
}

// The URL of an API path with a query: empty values (undefined, null, '') are
// left out, an array repeats its key. Also used for download links.
export function apiUrl(path, query) {
  let url = path.startsWith('/api/') || /^https?:/.test(path) ? path : BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
      else qs.append(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

function codeForStatus(status) {
  switch (status) {
    case 400: return 'bad_json';
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 413: return 'body_too_large';
    case 422: return 'validation_failed';
    case 429: return 'rate_limited';
    default: return status >= 500 ? 'internal' : 'unknown';
  }
}

// request(method, path, {body, query, signal, redirectOn401})
// path is relative to /api/v1 ("/customers") unless it starts with /api/.
// Resolves to the parsed JSON body (null for 204 or an empty body);
// rejects with an ApiError. With redirectOn401: false a 401 is only
// thrown, not reported to the login handler (used by the login screen).
export async function request(method, path, opts = {}) {
  method = method.toUpperCase();
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res;
  try {
    res = await fetch(apiUrl(path, opts.query), init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e && e.message || e));
  }

  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) {
    if (text && data === null) {
      throw new ApiError(res.status, 'unknown', 'response is not JSON');
    }
    return data;
  }

  const e = data && data.error;
  const err = new ApiError(
    res.status,
    (e && e.code) || codeForStatus(res.status),
    (e && e.message) || res.statusText,
    e && e.fields,
    e,
  );
  if (res.status === 401 && err.code === 'unauthenticated' &&
      opts.redirectOn401 !== false && unauthenticatedHandler) {
    unauthenticatedHandler(err);
  }
  throw err;
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts) => request('POST', path, { ...opts, body });
export const put = (path, body, opts) => request('PUT', path, { ...opts, body });
export const patch = (path, body, opts) => request('PATCH', path, { ...opts, body });
export const del = (path, opts) => request('DELETE', path, opts);

// Session helpers used by the shell.
export async function fetchMe() {
  const data = await get('/me', { redirectOn401: false });
  setCsrfToken(data.csrf_token);
  return { ...data.user, must_change_password: !!data.must_change_password };
}

export async function login(loginName, password) {
  const data = await post('/session', { login: loginName, password }, { redirectOn401: false });
  setCsrfToken(data.csrf_token);
  return { ...data.user, must_change_password: !!data.must_change_password };
}

export async function logout() {
  try {
    await del('/session', { redirectOn401: false });
  } finally {
    setCsrfToken(null);
  }
}
