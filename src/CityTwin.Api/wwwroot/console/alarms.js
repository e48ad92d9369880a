// The alarm board. What it shows comes from a *source* that turns the API's alarms into groups:
//   { key, root: alarm, members: [alarm…], count }  — the row an operator handles, and what it stands for.
// Today's source is `flatSource` (GET /api/alarms: one group per alarm). The root-cause grouping API
// (GET /api/alarms?group=root) plugs in as another source with the same shape — see `groupedSource` — and the board,
// its sorting, acknowledgement and live updates stay as they are.

export const SEVERITIES = ['critical', 'major', 'minor', 'warning'];
const rank = s => { const i = SEVERITIES.indexOf(s); return i < 0 ? SEVERITIES.length : i; };

/** One group per active alarm, from the flat list; live feed events update it alarm by alarm. */
export const flatSource = {
  name: 'flat',
  label: 'by severity',
  async load(api) {
    const list = await api.alarms('active=true&limit=1000');
    return { active: list.active, alarms: list.alarms };
  },
  group(alarms) {
    return alarms.map(a => ({ key: a.id, root: a, members: [a], count: 1 }));
  },
};

/**
 * The seam for root-cause grouping (issue 12): when GET /api/alarms?group=root exists, load() reads it and group()
 * maps each of its groups to { key, root, members, count }. Until then it is not offered (available() is false).
 */
export const groupedSource = {
  name: 'root',
  label: 'by root cause',
  available: false,
  async load(api) {
    const list = await api.alarms('active=true&group=root&limit=1000');
    return { active: list.active, alarms: list.alarms ?? [], groups: list.groups ?? [] };
  },
  group(alarms, loaded) {
    // Expected: each group names its root alarm and its consequences (counted and listable).
    return (loaded?.groups ?? []).map(g => ({ key: g.root?.id ?? g.id, root: g.root ?? g, members: g.consequences ?? [], count: 1 + (g.consequenceCount ?? g.consequences?.length ?? 0) }));
  },
};

export class AlarmBoard {
  /**
   * @param {HTMLElement} element
   * @param {{ api, canOperate: boolean, confirm(options): Promise<string|null>, onSelectAsset(id) }} options
   */
  constructor(element, options) {
    this.element = element;
    this.options = options;
    this.source = flatSource;
    this.alarms = new Map(); // active alarms by id
    this.counts = {};
    this.loaded = null;
    this.limit = 200; // rows drawn; the rest are counted
    this.frame = 0;
  }

  async load() {
    this.loaded = await this.source.load(this.options.api);
    this.alarms = new Map(this.loaded.alarms.filter(a => !a.clearedAt).map(a => [a.id, a]));
    this.counts = this.loaded.active ?? {};
    this.render();
  }

  /** A feed `alarm` event: raised, updated, cleared or acknowledged. */
  apply(event) {
    const alarm = event.alarm;
    if (!alarm?.id) return;
    const before = this.alarms.get(alarm.id);
    if (event.change === 'cleared' || alarm.clearedAt) {
      if (before) { this.alarms.delete(alarm.id); this.bump(before.severity, -1); }
    } else {
      if (!before) this.bump(alarm.severity, +1);
      else if (before.severity !== alarm.severity) { this.bump(before.severity, -1); this.bump(alarm.severity, +1); }
      this.alarms.set(alarm.id, alarm);
    }
    this.schedule();
  }

  bump(severity, by) { this.counts[severity] = Math.max(0, (this.counts[severity] ?? 0) + by); }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  groups() {
    return this.source.group([...this.alarms.values()], this.loaded)
      .sort((a, b) => rank(a.root.severity) - rank(b.root.severity) || String(b.root.raisedAt).localeCompare(String(a.root.raisedAt)));
  }

  render() {
    const groups = this.groups();
    const e = this.element;
    e.replaceChildren();
    const header = el('header', {}, el('h2', {}, `Alarms (${groups.length} active, ${this.source.label})`));
    e.append(header);
    e.dataset.active = String(groups.length);
    e.append(el('p', { className: 'summary' }, SEVERITIES.map(s => `${s} ${this.counts[s] ?? 0}`).join(' · ')));
    const list = el('ol', { className: 'results', style: 'max-height:none' });
    for (const g of groups.slice(0, this.limit)) list.append(this.row(g));
    e.append(list);
    if (groups.length > this.limit) e.append(el('p', { className: 'summary' }, `… and ${groups.length - this.limit} more`));
  }

  row(group) {
    const a = group.root;
    const li = el('li', { className: `alarm ${a.severity}${a.acknowledgedAt ? ' acked' : ''}`, style: 'display:block' });
    li.dataset.alarm = a.id;
    const asset = el('button', { className: 'link', type: 'button', title: 'Open the asset' }, a.assetId);
    asset.addEventListener('click', () => this.options.onSelectAsset(a.assetId));
    li.append(el('span', { className: 'sev' }, a.severity), ' ', asset, ` ${a.kind} · ${a.district} · ${time(a.raisedAt)}`);
    if (group.count > 1) li.append(el('span', {}, ` (+${group.count - 1} consequences)`));
    if (a.cause?.length) li.append(el('div', { className: 'cause' }, a.cause.join(' ← ')));
    if (a.acknowledgedAt) li.append(el('div', { className: 'cause' }, `acknowledged by ${a.acknowledgedBy ?? '?'}${a.note ? `: ${a.note}` : ''}`));
    else if (this.options.canOperate) {
      const ack = el('button', { type: 'button', className: 'ack' }, 'Acknowledge…');
      ack.addEventListener('click', () => this.acknowledge(a));
      li.append(ack);
    }
    return li;
  }

  async acknowledge(alarm) {
    const note = await this.options.confirm({
      title: `Acknowledge ${alarm.id}`, text: `${alarm.severity} ${alarm.kind} on ${alarm.assetId}. ${alarm.cause?.join(' ← ') ?? ''}`,
      note: true, ok: 'Acknowledge', run: n => this.options.api.acknowledge(alarm.id, n),
    });
    if (note === null) return;
    const current = this.alarms.get(alarm.id);
    if (current) { this.alarms.set(alarm.id, { ...current, acknowledgedAt: new Date().toISOString(), acknowledgedBy: current.acknowledgedBy ?? 'you', note }); this.schedule(); }
  }
}

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'style') e.style.cssText = v; else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export const time = at => at ? new Date(at).toLocaleTimeString() : '';
