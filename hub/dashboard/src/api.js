// The hub's JSON API (gRPC JSON transcoding of Trends and Session, and the dashboard's node status), asked
// with the session token of the analyst who signed in. The sharing rule and the audit log are the API's.
const TOKEN = 'vrs-token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  set token(value) { value ? sessionStorage.setItem(TOKEN, value) : sessionStorage.removeItem(TOKEN); },
};

/** GET path with the query's fields as parameters; arrays become repeated parameters, empty values are left out. */
export async function get(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') params.append(key, String(v));
    }
  }
  const qs = params.toString();
  return call(qs ? `${path}?${qs}` : path, { method: 'GET' });
}

export async function post(path, body) {
  return call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

async function call(url, init) {
  const headers = { ...(init.headers ?? {}) };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    if (response.status === 401) session.token = null;
    throw new ApiError(response.status, body?.message ?? body?.detail ?? body?.title ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

export const trends = {
  series: (q) => get('/api/v1/trends/series', q),
  flows: (q) => get('/api/v1/trends/flows', q),
  fees: (q) => get('/api/v1/trends/fees', q),
  profiles: (q) => get('/api/v1/trends/profiles', q),
  coverage: (q) => get('/api/v1/trends/coverage', q),
  alerts: (q) => get('/api/v1/trends/alerts', q),
  alertBand: (q) => get('/api/v1/trends/alerts/band', q),
  similar: (state, q) => get(`/api/v1/trends/similar/${encodeURIComponent(state)}`, q),
};

export const hub = {
  login: (account, password) => post('/api/v1/session/login', { account, password }),
  logout: () => post('/api/v1/session/logout', {}),
  whoami: () => get('/api/v1/session/whoami'),
  catalogue: () => get('/api/v1/dashboard/catalogue'),
  nodes: () => get('/api/v1/dashboard/nodes'),
};

/** int64 fields arrive as strings in proto JSON; absent fields are their defaults. */
export const num = (v) => (v === undefined || v === null || v === '' ? 0 : Number(v));
