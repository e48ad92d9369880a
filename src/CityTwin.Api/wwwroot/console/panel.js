// The asset panel: live state, dependencies and dependents (clickable), history (changes, readings, commands) with a
// small chart of one reading, and the incident actions an operator may take on it — each behind a confirmation.
/* global uPlot */
import { el, time } from './alarms.js';

const STATUSES = ['operational', 'degraded', 'faulted', 'offline', 'maintenance'];
const CHARTED = { pole: ['powerW', 'dimLevel', 'illuminanceLevel'], camera: ['vehicleCount', 'pedestrianCount', 'frameRate'], intersection: ['flowVehPerHour'], link: ['latencyMs', 'throughputMbps', 'packetLossPct'] };

export class AssetPanel {
  /** @param {HTMLElement} element @param {{ api, canOperate, confirm, onSelectAsset(id), onLines(from, ids, colour), onClose() }} options */
  constructor(element, options) {
    this.element = element;
    this.options = options;
    this.id = null;
    this.timer = 0;
    this.chart = null;
  }

  async open(id) {
    this.id = id;
    this.element.hidden = false;
    this.element.dataset.asset = id;
    this.element.replaceChildren(el('p', {}, `Loading ${id}…`));
    await this.refresh();
  }

  close() {
    this.id = null;
    this.element.hidden = true;
    delete this.element.dataset.asset;
    this.chart?.destroy(); this.chart = null;
    this.options.onClose();
  }

  /** A feed change for the open asset: re-read it (at most every 300 ms). */
  changed(id) {
    if (id !== this.id || this.timer) return;
    this.timer = setTimeout(() => { this.timer = 0; this.refresh(); }, 300);
  }

  async refresh() {
    const id = this.id, api = this.options.api;
    if (!id) return;
    let asset;
    try { asset = await api.asset(id); } catch (error) { this.element.replaceChildren(header(id, () => this.close()), el('p', { className: 'error' }, error.message)); return; }
    const [deps, dependents, history] = await Promise.all([
      api.dependencies(id).catch(() => null),
      asset.type === 'link' || asset.type === 'intersection' ? api.dependents(id, 200).catch(() => null) : null,
      api.history(id, 50).catch(() => null),
    ]);
    if (id !== this.id) return;
    this.chart?.destroy(); this.chart = null;
    const e = this.element;
    e.replaceChildren(header(id, () => this.close()));
    e.dataset.status = asset.status;
    e.append(el('p', {}, el('span', { className: `st ${asset.status}` }, asset.status), ` ${asset.type} · ${asset.district}`,
      asset.operatorStatus && asset.operatorStatus !== asset.status ? ` · set by operator: ${asset.operatorStatus}` : ''));
    if (this.options.canOperate) e.append(this.actions(asset, deps));
    e.append(el('h2', {}, 'Live state'), table(state(asset)));
    if (deps) e.append(el('h2', {}, 'Depends on'), this.dependencies(deps));
    if (dependents?.dependents?.length) {
      e.append(el('h2', {}, `Dependents (${dependents.total})`));
      const ul = el('ul');
      for (const d of dependents.dependents.slice(0, 25)) ul.append(el('li', {}, this.link(d.id), ` ${d.type}${d.relation ? ` (${d.relation})` : ''}`));
      if (dependents.total > 25) ul.append(el('li', {}, `… and ${dependents.total - 25} more (lines on the map)`));
      e.append(ul);
      this.options.onLines(id, dependents.dependents.map(d => d.id), '#7a3db8');
    } else if (deps?.neighbours?.length) this.options.onLines(id, deps.neighbours.map(n => n.id), '#1c2330');
    else this.options.onLines(id, [], '');
    if (history) this.history(history, asset.type);
  }

  link(id) {
    const b = el('button', { type: 'button', className: 'link' }, id);
    b.addEventListener('click', () => this.options.onSelectAsset(id));
    return b;
  }

  dependencies(d) {
    const ul = el('ul');
    if (d.backhaul) ul.append(el('li', {}, 'backhaul ', this.link(d.backhaul.id), ` ${d.backhaul.condition} (${d.backhaul.latencyMs} ms, ${d.backhaul.packetLossPct}% loss)`));
    if (d.power) ul.append(el('li', {}, `power: district ${d.power.district}${d.power.feeder ? `, feeder ${d.power.feeder}` : ''}, ${d.power.powered ? 'powered' : `unpowered${d.power.cause ? ` (${d.power.cause})` : ''}`}`));
    if (d.watchedIntersection) ul.append(el('li', {}, 'watches ', this.link(d.watchedIntersection.id), ` ${d.watchedIntersection.activeMode ?? ''} ${d.watchedIntersection.status}`));
    for (const n of d.neighbours ?? []) ul.append(el('li', {}, 'neighbour ', this.link(n.id), ` ${n.activeMode ?? ''} ${n.status}`));
    if (!ul.children.length) ul.append(el('li', {}, 'nothing'));
    return ul;
  }

  /** Incident actions for operators: each asks for confirmation; the map follows through the live feed. */
  actions(asset, deps) {
    const api = this.options.api, box = el('div', { className: 'actions', role: 'group', ariaLabel: 'Incident actions' });
    const action = (label, text, run, danger = true) => {
      const b = el('button', { type: 'button', className: danger ? 'danger' : '' }, label);
      b.dataset.action = label;
      b.addEventListener('click', async () => {
        const done = await this.options.confirm({ title: label, text, ok: label, run });
        if (done !== null) this.refresh();
      });
      box.append(b);
    };
    if (asset.type === 'link') {
      action('Link down', `Set link ${asset.id} DOWN? Its poles lose connectivity, its cameras their feeds.`, () => api.setLink(asset.id, 'down'));
      action('Link degraded', `Set link ${asset.id} DEGRADED?`, () => api.setLink(asset.id, 'degraded'));
      action('Link up', `Set link ${asset.id} UP again?`, () => api.setLink(asset.id, 'up'), false);
    }
    if (asset.type === 'intersection') {
      action('Controller fault', `Report a controller fault at ${asset.id}? It goes to flashing.`, () => api.setController(asset.id, true));
      action('Controller repaired', `Clear the controller fault at ${asset.id}?`, () => api.setController(asset.id, false), false);
    }
    if (deps?.power?.feeder) {
      const { district, feeder } = deps.power;
      action('Feeder off', `Cut feeder ${feeder} in ${district}? Everything on it goes dark.`, () => api.setPower(district, false, feeder));
      action('Feeder on', `Restore feeder ${feeder} in ${district}?`, () => api.setPower(district, true, feeder), false);
    }
    const select = el('select', { ariaLabel: 'Operational status' });
    for (const s of STATUSES) select.append(el('option', { value: s, selected: s === asset.operatorStatus }, s));
    const set = el('button', { type: 'button' }, 'Set status…');
    set.dataset.action = 'Set status';
    set.addEventListener('click', async () => {
      const status = select.value;
      const done = await this.options.confirm({ title: 'Set status', text: `Set ${asset.id}'s operational status to ${status}?`, ok: 'Set status', run: () => api.setStatus(asset.id, status) });
      if (done !== null) this.refresh();
    });
    box.append(el('label', {}, 'status ', select), set);
    return box;
  }

  history(history, type) {
    const e = this.element;
    if (history.changes?.length) {
      e.append(el('h2', {}, 'State changes'));
      const ul = el('ul');
      for (const c of history.changes.slice(0, 15)) ul.append(el('li', {}, `${time(c.at)} ${c.previous ?? '–'} → ${c.status}${c.changes?.length ? `: ${c.changes.join(', ')}` : ''}`));
      e.append(ul);
    }
    if (history.commands?.length) {
      e.append(el('h2', {}, 'Commands'));
      const ul = el('ul');
      for (const c of history.commands.slice(0, 10)) ul.append(el('li', {}, `${time(c.at ?? c.startedAt)} ${c.action} by ${c.actorName ?? c.actor ?? '?'} ${c.detail ?? ''} → ${c.outcome ?? 'pending'}`));
      e.append(ul);
    }
    const readings = (history.telemetry ?? []).slice().reverse();
    const fields = (CHARTED[type] ?? []).filter(f => readings.some(r => typeof r.reading?.[f] === 'number'));
    e.append(el('h2', {}, `Readings (${readings.length})`));
    if (!fields.length) { e.append(el('p', { className: 'summary' }, 'No readings received since the silo started.')); return; }
    const select = el('select', { ariaLabel: 'Reading to chart' });
    for (const f of fields) select.append(el('option', { value: f }, f));
    const chart = el('div', { className: 'chart' });
    e.append(select, chart);
    const draw = () => {
      this.chart?.destroy();
      const f = select.value, rows = readings.filter(r => typeof r.reading?.[f] === 'number');
      const data = [rows.map(r => Date.parse(r.reading.timestamp ?? r.receivedAt) / 1000), rows.map(r => r.reading[f])];
      this.chart = new uPlot({ width: Math.max(240, e.clientWidth - 20), height: 140, legend: { show: false }, series: [{}, { label: f, stroke: '#3b7dd8', width: 1.5 }] }, data, chart);
    };
    select.addEventListener('change', draw);
    draw();
  }
}

function header(id, close) {
  const b = el('button', { type: 'button', ariaLabel: 'Close the asset panel' }, '✕');
  b.addEventListener('click', close);
  return el('header', {}, el('h2', {}, id), b);
}

function table(rows) {
  const t = el('table');
  for (const [k, v] of rows) t.append(el('tr', {}, el('td', {}, k), el('td', {}, v)));
  return t;
}

function state(asset) {
  const rows = [['status', asset.status], ['location', `${asset.location.lon.toFixed(5)}, ${asset.location.lat.toFixed(5)}`], ['updated', time(asset.updatedAt)]];
  const specific = asset.pole ?? asset.camera ?? asset.intersection ?? asset.link ?? {};
  for (const [k, v] of Object.entries(specific)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    rows.push([k, typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v)]);
  }
  return rows;
}
