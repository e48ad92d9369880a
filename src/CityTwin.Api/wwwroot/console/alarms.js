// The alarm board. Two views of the same active alarms:
//   'root' (the default): GET /api/alarms?group=root — one row per root cause (a link, a feeder, a district's supply,
//          an asset), its consequences counted by severity and type, expandable to its members (paged from
//          GET /api/alarms/groups/{root}/members), acknowledged (POST …/groups/{root}/ack) or shelved as one;
//   'flat': GET /api/alarms — one row per alarm, acknowledged or shelved alarm by alarm.
// A "shelved" switch lists what is on the shelf instead (shelved=true), where it can be taken off.
// Live: feed `alarm` events (raised, updated, cleared, acknowledged, shelved, unshelved) re-read the board, debounced.

export const SEVERITIES = ['critical', 'major', 'minor', 'warning'];
/** The shelf lengths offered (the API allows up to Alarms:MaxShelve, 24 h by default). */
export const SHELF_HOURS = [1, 4, 8];
const MEMBERS_PAGE = 50;
const DEBOUNCE_MS = 400, MAX_WAIT_MS = 2000;

export class AlarmBoard {
  /**
   * @param {HTMLElement} element
   * @param {{ api, canOperate: boolean, confirm(options): Promise<string|null>, onSelectAsset(id) }} options
   */
  constructor(element, options) {
    this.element = element;
    this.options = options;
    this.view = 'root';
    this.shelvedOnly = false;
    this.alarms = new Map(); // flat view: active alarms by id
    this.groups = [];        // root view: the API's groups
    this.totalGroups = 0;
    this.counts = {};        // active alarms by severity (the API's, city-wide or the caller's scope)
    this.expanded = new Map(); // root id → { items, next, total, loading }
    this.limit = 200; // rows drawn; the rest are counted
    this.loads = 0;
    this.timer = 0; this.firstPending = 0; this.loading = null; this.again = false;
  }

  get activeTotal() { return SEVERITIES.reduce((n, s) => n + (this.counts[s] ?? 0), 0); }

  setView(view) {
    if (view === this.view) return;
    this.view = view;
    this.element.dataset.view = view;
    this.options.onViewChange?.();
    this.load().catch(e => this.error(e));
  }

  /** Reads the board again (one read at a time; a request meanwhile is served once the current one ends). */
  async load() {
    if (this.loading) { this.again = true; return this.loading; }
    this.loading = (async () => {
      try {
        do {
          this.again = false;
          await this.read();
        } while (this.again);
      } finally { this.loading = null; }
    })();
    return this.loading;
  }

  async read() {
    const api = this.options.api;
    const shelf = this.shelvedOnly ? '&shelved=true' : '';
    if (this.view === 'root') {
      const list = await api.alarms(`active=true&group=root&limit=1000${shelf}`);
      this.groups = list.groups ?? [];
      this.totalGroups = list.totalGroups ?? this.groups.length;
      this.counts = list.active ?? {};
      const roots = new Set(this.groups.map(g => g.root));
      for (const root of [...this.expanded.keys()]) if (!roots.has(root)) this.expanded.delete(root);
      await Promise.all([...this.expanded.keys()].map(root => this.members(root, true)));
    } else {
      const list = await api.alarms(`active=true&limit=1000${shelf}`);
      this.alarms = new Map((list.alarms ?? []).filter(a => !a.clearedAt).map(a => [a.id, a]));
      this.counts = list.active ?? {};
    }
    this.loads++;
    this.render();
  }

  /** A feed `alarm` event: the flat view follows it at once; every change also re-reads the board (debounced). */
  apply(event) {
    const alarm = event.alarm;
    if (!alarm?.id) return;
    if (this.view === 'flat' && !this.shelvedOnly) {
      const shelved = event.change === 'shelved' || (alarm.shelved && event.change !== 'unshelved');
      if (event.change === 'cleared' || alarm.clearedAt || shelved) this.alarms.delete(alarm.id);
      else this.alarms.set(alarm.id, alarm);
      if (event.change === 'raised') this.counts[alarm.severity] = (this.counts[alarm.severity] ?? 0) + 1;
      if (event.change === 'cleared') this.counts[alarm.severity] = Math.max(0, (this.counts[alarm.severity] ?? 0) - 1);
      this.renderSoon();
    }
    this.reloadSoon();
  }

  /** Trailing debounce, but never later than MAX_WAIT_MS after the first event of a burst. */
  reloadSoon() {
    const now = performance.now();
    if (!this.firstPending) this.firstPending = now;
    clearTimeout(this.timer);
    const wait = Math.min(DEBOUNCE_MS, Math.max(0, this.firstPending + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => { this.firstPending = 0; this.timer = 0; this.load().catch(e => this.error(e)); }, wait);
  }

  renderSoon() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  error(e) {
    this.element.querySelector('.board-error')?.replaceChildren(`alarms: ${e.message}`);
  }

  // ---- drawing ----------------------------------------------------------------------------------------------------

  render() {
    const e = this.element;
    const scroll = e.scrollTop;
    e.replaceChildren();
    e.dataset.view = this.view;
    e.dataset.shelved = String(this.shelvedOnly);
    const rows = this.view === 'root' ? this.groups : [...this.alarms.values()].sort(byUrgency);
    const what = this.view === 'root' ? `${this.totalGroups} root cause${this.totalGroups === 1 ? '' : 's'}` : `${rows.length} alarm${rows.length === 1 ? '' : 's'}`;
    const header = el('header', {}, el('h2', {}, `Alarms${this.shelvedOnly ? ' on the shelf' : ''} (${what})`));
    const toggle = el('div', { className: 'row view-toggle', role: 'group', ariaLabel: 'Alarm view' });
    for (const [view, label] of [['root', 'By root cause'], ['flat', 'All alarms']]) {
      const b = el('button', { type: 'button', id: `alarm-view-${view}` }, label);
      b.setAttribute('aria-pressed', String(this.view === view));
      b.addEventListener('click', () => this.setView(view));
      toggle.append(b);
    }
    const shelf = el('button', { type: 'button', id: 'alarm-view-shelved', title: 'List what is on the shelf' }, 'Shelved');
    shelf.setAttribute('aria-pressed', String(this.shelvedOnly));
    shelf.addEventListener('click', () => { this.shelvedOnly = !this.shelvedOnly; this.options.onViewChange?.(); this.load().catch(err => this.error(err)); });
    toggle.append(shelf);
    header.append(toggle);
    e.append(header);
    e.dataset.active = String(this.activeTotal);
    e.dataset.rows = String(rows.length);
    e.append(el('p', { className: 'summary' }, `active: ${SEVERITIES.map(s => `${s} ${this.counts[s] ?? 0}`).join(' · ')}`));
    e.append(el('p', { className: 'error board-error', role: 'alert' }));
    const list = el('ol', { className: 'results', style: 'max-height:none' });
    for (const row of rows.slice(0, this.limit)) list.append(this.view === 'root' ? this.groupRow(row) : this.alarmRow(row));
    e.append(list);
    if (rows.length > this.limit) e.append(el('p', { className: 'summary' }, `… and ${rows.length - this.limit} more`));
    if (this.view === 'root' && this.totalGroups > rows.length) e.append(el('p', { className: 'summary' }, `… ${this.totalGroups - rows.length} more root causes not listed`));
    e.scrollTop = scroll;
  }

  groupRow(g) {
    const li = el('li', { className: `alarm group ${g.severity}${g.acknowledged ? ' acked' : ''}${g.shelved ? ' shelved' : ''}`, style: 'display:block' });
    li.dataset.root = g.root;
    li.dataset.members = String(g.members);
    if (g.alarm) li.dataset.rootAlarm = g.alarm.id;
    const root = el('button', { className: 'link', type: 'button', title: g.synthetic ? 'A feeder or a district supply: no asset to open' : 'Open the root asset' }, g.root);
    if (!g.synthetic && !g.root.startsWith('district:') && !g.root.startsWith('feeder-')) root.addEventListener('click', () => this.options.onSelectAsset(g.root));
    else root.disabled = true;
    li.append(el('span', { className: 'sev' }, g.severity), ' ', root, ` ${g.cause ?? ''}`);
    const counts = SEVERITIES.filter(s => g.bySeverity?.[s]).map(s => `${g.bySeverity[s]} ${s}`).join(', ');
    const types = Object.entries(g.byType ?? {}).filter(([, n]) => n).map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`).join(', ');
    li.append(el('div', { className: 'cause counts' },
      g.members ? `${g.members} consequence${g.members === 1 ? '' : 's'}: ${counts}${types ? ` · ${types}` : ''}` : 'no consequences'));
    li.append(el('div', { className: 'cause' }, `${(g.districts ?? []).join(', ')} · first ${time(g.firstRaisedAt)} · last ${time(g.lastRaisedAt)}`));
    const state = g.acknowledged ? `acknowledged${g.alarm?.acknowledgedBy ? ` by ${g.alarm.acknowledgedBy}` : ''}${g.alarm?.note ? `: ${g.alarm.note}` : ''}` : `${g.unacknowledged} unacknowledged`;
    li.append(el('div', { className: 'cause state' }, state, g.shelved ? ` · shelved until ${time(g.shelved.until)}${g.shelved.by ? ` by ${g.shelved.by}` : ''}` : ''));
    const actions = el('div', { className: 'actions' });
    if (g.members) {
      const open = this.expanded.has(g.root);
      const expand = el('button', { type: 'button', className: 'expand' }, open ? 'Hide members' : `Members (${g.members})`);
      expand.setAttribute('aria-expanded', String(open));
      expand.addEventListener('click', () => this.toggle(g.root));
      actions.append(expand);
    }
    if (this.options.canOperate) {
      if (!g.acknowledged) {
        const ack = el('button', { type: 'button', className: 'ack-group' }, 'Acknowledge group…');
        ack.addEventListener('click', () => this.acknowledgeGroup(g));
        actions.append(ack);
      }
      actions.append(...this.shelfControls(g.root, g.shelved, `group ${g.root} (${g.members + (g.alarm ? 1 : 0)} alarms)`));
    }
    li.append(actions);
    const members = this.expanded.get(g.root);
    if (members) li.append(this.memberList(g.root, members));
    return li;
  }

  memberList(root, m) {
    const box = el('div', { className: 'members' });
    box.dataset.loaded = String(m.items.length);
    box.dataset.total = String(m.total ?? '');
    const ol = el('ol', { className: 'results', style: 'max-height:40vh' });
    for (const a of m.items) ol.append(this.alarmRow(a, true));
    box.append(ol);
    if (m.loading) box.append(el('p', { className: 'summary' }, 'loading…'));
    else if (m.next) {
      const more = el('button', { type: 'button', className: 'more' }, `More (${m.items.length} of ${m.total})`);
      more.addEventListener('click', () => this.members(root, false).then(() => this.render()).catch(e => this.error(e)));
      box.append(more);
    }
    return box;
  }

  alarmRow(a, member = false) {
    const li = el('li', { className: `alarm ${a.severity}${a.acknowledgedAt ? ' acked' : ''}${a.shelved ? ' shelved' : ''}${a.suppressed ? ' suppressed' : ''}`, style: 'display:block' });
    li.dataset.alarm = a.id;
    const asset = el('button', { className: 'link', type: 'button', title: 'Open the asset' }, a.assetId);
    asset.addEventListener('click', () => this.options.onSelectAsset(a.assetId));
    li.append(el('span', { className: 'sev' }, a.severity), ' ', asset, ` ${a.kind} · ${a.district} · ${time(a.raisedAt)}`);
    if (a.suppressed && !member) li.append(el('span', { className: 'cause' }, ' (suppressed: its root is active)'));
    if (a.cause?.length && !member) li.append(el('div', { className: 'cause' }, a.cause.join(' ← ')));
    if (a.shelved) li.append(el('div', { className: 'cause' }, `shelved until ${time(a.shelved.until)}`));
    if (a.acknowledgedAt) li.append(el('div', { className: 'cause' }, `acknowledged by ${a.acknowledgedBy ?? '?'}${a.note ? `: ${a.note}` : ''}`));
    if (this.options.canOperate && !member) {
      if (!a.acknowledgedAt) {
        const ack = el('button', { type: 'button', className: 'ack' }, 'Acknowledge…');
        ack.addEventListener('click', () => this.acknowledge(a));
        li.append(ack);
      }
      li.append(...this.shelfControls(a.id, a.shelved, `alarm ${a.id}`));
    }
    return li;
  }

  /** Shelve (for 1 h / 4 h / 8 h) or, when on a shelf, Unshelve. */
  shelfControls(id, shelved, what) {
    if (shelved) {
      const off = el('button', { type: 'button', className: 'unshelve' }, 'Unshelve');
      off.addEventListener('click', () => this.options.confirm({
        title: `Unshelve ${what}`, text: `Put ${what} back on the board?`, ok: 'Unshelve',
        run: () => this.options.api.unshelve(id),
      }).then(r => { if (r !== null) this.load(); }));
      return [' ', off];
    }
    const hours = el('select', { className: 'shelf-hours', title: 'How long to shelve' });
    for (const h of SHELF_HOURS) hours.append(el('option', { value: String(h) }, `${h} h`));
    hours.value = '4';
    const on = el('button', { type: 'button', className: 'shelve' }, 'Shelve');
    on.addEventListener('click', () => {
      const h = Number(hours.value);
      this.options.confirm({
        title: `Shelve ${what} for ${h} h`, text: `Off the board until ${new Date(Date.now() + h * 3600e3).toLocaleTimeString()}, then back by itself if still active.`,
        note: true, ok: 'Shelve',
        run: note => this.options.api.shelve(id, new Date(Date.now() + h * 3600e3).toISOString(), note),
      }).then(r => { if (r !== null) this.load(); });
    });
    return [' ', hours, ' ', on];
  }

  // ---- actions ----------------------------------------------------------------------------------------------------

  async toggle(root) {
    if (this.expanded.has(root)) { this.expanded.delete(root); this.render(); return; }
    this.expanded.set(root, { items: [], next: null, total: null, loading: true });
    this.render();
    try { await this.members(root, true); } catch (e) { this.expanded.delete(root); this.error(e); }
    this.render();
  }

  /** The next page of a group's members, or (fresh) its first pages again, as many as were shown. */
  async members(root, fresh) {
    const m = this.expanded.get(root);
    if (!m) return;
    const limit = fresh ? Math.min(1000, Math.max(MEMBERS_PAGE, m.items.length)) : MEMBERS_PAGE;
    const cursor = fresh || !m.next ? '' : `&cursor=${encodeURIComponent(m.next)}`;
    m.loading = true;
    try {
      const page = await this.options.api.members(root, `active=true&limit=${limit}${cursor}`);
      m.items = fresh ? page.alarms : [...m.items, ...page.alarms];
      m.next = page.nextCursor ?? null;
      m.total = page.total;
    } finally { m.loading = false; }
  }

  async acknowledge(alarm) {
    const note = await this.options.confirm({
      title: `Acknowledge ${alarm.id}`, text: `${alarm.severity} ${alarm.kind} on ${alarm.assetId}. ${alarm.cause?.join(' ← ') ?? ''}`,
      note: true, ok: 'Acknowledge', run: n => this.options.api.acknowledge(alarm.id, n),
    });
    if (note === null) return;
    const current = this.alarms.get(alarm.id);
    if (current) { this.alarms.set(alarm.id, { ...current, acknowledgedAt: new Date().toISOString(), acknowledgedBy: current.acknowledgedBy ?? 'you', note }); this.render(); }
    this.reloadSoon();
  }

  async acknowledgeGroup(g) {
    let result = null;
    const note = await this.options.confirm({
      title: `Acknowledge group ${g.root}`,
      text: `${g.cause ?? g.root}: the root's alarm${g.alarm ? '' : ' (none: a feeder or supply)'} and its ${g.members} consequence${g.members === 1 ? '' : 's'}, at once.`,
      note: true, ok: 'Acknowledge all', run: async n => { result = await this.options.api.acknowledgeGroup(g.root, n); },
    });
    if (note === null) return;
    this.lastGroupAck = result;
    await this.load();
  }
}

function byUrgency(a, b) {
  return rank(a.severity) - rank(b.severity) || String(b.raisedAt).localeCompare(String(a.raisedAt));
}
const rank = s => { const i = SEVERITIES.indexOf(s); return i < 0 ? SEVERITIES.length : i; };

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'style') e.style.cssText = v;
    else if (k === 'ariaLabel') e.setAttribute('aria-label', v);
    else if (k === 'role') e.setAttribute('role', v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export const time = at => at ? new Date(at).toLocaleTimeString() : '';
