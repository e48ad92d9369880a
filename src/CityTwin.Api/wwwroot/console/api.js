// The API as the console calls it: every request carries the signed-in key; errors are the API's problem details.

export class ApiError extends Error {
  constructor(status, problem) {
    const errors = (problem?.errors ?? []).map(e => `${e.field}: ${e.message}`).join('; ');
    super([problem?.title ?? `HTTP ${status}`, problem?.detail, errors].filter(Boolean).join(' — '));
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor(key) { this.key = key; }

  get authorization() { return `ApiKey ${this.key}`; }

  async request(method, path, body, signal) {
    const headers = { Authorization: this.authorization, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', signal });
    const text = await response.text();
    const json = text ? safeJson(text) : null;
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }

  get(path, signal) { return this.request('GET', path, undefined, signal); }
  post(path, body) { return this.request('POST', path, body ?? {}); }

  /** Every page of an asset query, following `next` (keyset cursors), up to maxItems; an abort signal ends it. */
  async *pages(path, maxItems = Infinity, signal = undefined) {
    let next = path, seen = 0;
    while (next && seen < maxItems) {
      const page = await this.get(next, signal);
      seen += page.items.length;
      yield page;
      next = page.next;
    }
  }

  me() { return this.get('/api/me'); }
  stats() { return this.get('/api/stats'); }
  asset(id) { return this.get(`/api/assets/${encodeURIComponent(id)}`); }
  dependencies(id) { return this.get(`/api/assets/${encodeURIComponent(id)}/dependencies`); }
  dependents(id, limit = 200) { return this.get(`/api/assets/${encodeURIComponent(id)}/dependents?limit=${limit}`); }
  history(id, limit = 100) { return this.get(`/api/assets/${encodeURIComponent(id)}/history?limit=${limit}`); }
  power(district) { return this.get(`/api/districts/${encodeURIComponent(district)}/power`); }
  alarms(query = 'active=true&limit=1000') { return this.get(`/api/alarms?${query}`); }
  members(root, query = 'active=true&limit=50') { return this.get(`/api/alarms/groups/${encodeURIComponent(root)}/members?${query}`); }
  acknowledgeGroup(root, note) { return this.post(`/api/alarms/groups/${encodeURIComponent(root)}/ack`, note ? { note } : {}); }
  shelve(id, until, note) { return this.post(`/api/alarms/${encodeURIComponent(id)}/shelve`, note ? { until, note } : { until }); }
  unshelve(id) { return this.request('DELETE', `/api/alarms/${encodeURIComponent(id)}/shelve`); }
  acknowledge(id, note) { return this.post(`/api/alarms/${encodeURIComponent(id)}/ack`, note ? { note } : {}); }
  setLink(id, condition) { return this.post(`/api/links/${encodeURIComponent(id)}/status`, { condition }); }
  setPower(district, on, feeder) { return this.post(`/api/districts/${encodeURIComponent(district)}/power`, feeder ? { on, feeder } : { on }); }
  setController(id, fault) { return this.post(`/api/intersections/${encodeURIComponent(id)}/controller`, { fault }); }
  setStatus(id, status) { return this.post(`/api/assets/${encodeURIComponent(id)}/status`, { status }); }
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return { title: text.slice(0, 200) }; }
}

/** What a caller's roles let it press (the API decides; this only hides buttons it would refuse). */
export function abilities(roles) {
  const has = r => roles.includes(r);
  return { read: ['viewer', 'operator', 'engineer', 'admin'].some(has), operate: has('operator') || has('admin'), engineer: has('engineer') || has('admin'), admin: has('admin') };
}
