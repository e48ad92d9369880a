// The operations-centre console: sign-in, the map, the live feed, find, the asset panel, the alarm board and the
// incident actions, wired together. Plain ES modules, no build step; Leaflet and uPlot are vendored (vendor/).
import { Api, ApiError, abilities } from './api.js';
import { LiveFeed } from './feed.js';
import { CityMap } from './map.js';
import { AlarmBoard, el, SEVERITIES } from './alarms.js';
import { AssetPanel } from './panel.js';
import { parseFind, buildFind, ATTRIBUTES } from './find.js';
import { KpiBar } from './kpis.js';
import { WhatIf } from './whatif.js';

const KEY = 'citytwin.key';
const $ = id => document.getElementById(id);

/** What the browser tests (and a curious operator in the devtools) can read. */
const probe = window.__citytwin = {
  ready: false, signedIn: false, loads: 0, loadedAssets: 0,
  get drawn() { return session?.map?.points.drawn ?? 0; },
  get streets() { return session?.map?.streets ?? 0; },
  get mode() { return session?.map?.aggregated ? 'districts' : 'points'; },
  get feed() { const f = session?.feed; return f ? { state: f.state, lastEventId: f.lastEventId, ...f.stats } : null; },
  get alarms() { return session?.board?.activeTotal ?? 0; },
  get board() { const b = session?.board; return b ? { view: b.view, shelved: b.shelvedOnly, loads: b.loads, groups: b.groups.length, rows: Number(b.element.dataset.rows ?? 0), lastGroupAck: b.lastGroupAck ?? null } : null; },
  asset(id) { const a = session?.map?.store.get(id); return a ? { id: a.id, type: a.type, status: a.status, district: a.district } : null; },
  // Timings for the console benchmark (load-tests `console`): performance.now() at sign-in and when ready, the map's
  // draws ([end, drawn, ms]…), main-thread long tasks, and — while lag.on — each feed change's lag to the draw showing it.
  signInAt: null, readyAt: null, longTasks: [],
  get drawLog() { return session?.map?.points.log ?? []; },
  get lastDrawMs() { return session?.map?.points.lastMs ?? 0; },
  get lastBaseMs() { return session?.map?.base.lastMs ?? 0; },
  viewBox() { return session?.map?.viewBox() ?? null; },
  get leaflet() { return session?.map?.map ?? null; },
  lag: { on: false, pending: [], published: [], received: [], changes: 0 },
  get url() { return location.hash; },
  get large() { return document.body.classList.contains('large'); },
  get markerScale() { return session?.map?.points.markerScale ?? 1; },
  get sparklines() { const k = session?.kpis; return k ? { loads: k.loads, district: k.district, points: k.points.length, charts: [...document.querySelectorAll('#kpis .spark')].map(e => ({ kpi: e.parentElement.dataset.kpi, points: Number(e.dataset.points ?? 0), canvas: !!e.querySelector('canvas') })) } : null; },
  get panelAsset() { return session?.panel?.id ?? null; },
  statusCounts(ids) { const c = {}; for (const id of ids) { const s = session?.map?.store.get(id)?.status ?? 'unknown'; c[s] = (c[s] ?? 0) + 1; } return c; },
};
let session = null; // the signed-in console
try {
  new PerformanceObserver(list => { for (const t of list.getEntries()) { if (probe.longTasks.length < 10000) probe.longTasks.push([t.startTime, t.duration]); } })
    .observe({ type: 'longtask', buffered: true });
} catch { /* no Long Tasks API in this browser */ }

start();

async function start() {
  const config = await fetch('/console/config').then(r => r.ok ? r.json() : {}).catch(() => ({}));
  $('signin-form').addEventListener('submit', async e => {
    e.preventDefault();
    probe.signInAt = performance.now();
    const key = $('signin-key').value.trim();
    $('signin-error').textContent = '';
    if (!(await signIn(key, config))) $('signin-key').focus();
  });
  const saved = sessionStorage.getItem(KEY);
  if (!saved || !(await signIn(saved, config))) showSignIn();
}

function showSignIn() {
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-key').focus();
}

async function signIn(key, config) {
  const api = new Api(key);
  // The city's stats are the first thing the console draws: asked with the sign-in, not after it.
  const stats = api.stats();
  stats.catch(() => {}); // a bad key fails both; the sign-in says why
  let me;
  try {
    me = await api.me();
  } catch (error) {
    sessionStorage.removeItem(KEY);
    $('signin-error').textContent = error instanceof ApiError && error.status === 401 ? 'That key is not valid (unknown, revoked or expired).' : `Sign-in failed: ${error.message}`;
    return false;
  }
  const can = abilities(me.roles ?? []);
  if (!can.read) {
    $('signin-error').textContent = `This key's roles (${me.roles.join(', ')}) cannot read the city: the console needs viewer, operator, engineer or admin.`;
    return false;
  }
  sessionStorage.setItem(KEY, key);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signin-key').value = '';
  session = new Console(api, me, can, config);
  probe.signedIn = true;
  probe.roles = me.roles;
  await session.begin(stats);
  return true;
}

class Console {
  constructor(api, me, can, config) {
    this.api = api;
    this.me = me;
    this.can = can;
    document.body.classList.toggle('can-operate', can.operate);
    const scope = (me.scope ?? []).map(s => [s.districts?.join(' '), s.types?.join(' ')].filter(Boolean).join(' / ')).filter(Boolean).join('; ');
    $('who').textContent = `${me.name} · ${me.roles.join(', ')}${me.department ? ` · ${me.department}` : ''}${scope ? ` · ${scope}` : ''}`;
    $('who').dataset.roles = me.roles.join(' ');
    $('large').onclick = () => this.setLarge(!document.body.classList.contains('large'));
    $('share').onclick = () => navigator.clipboard?.writeText(location.href).then(() => this.notice('Link to this view copied.'), () => this.notice(`Link to this view: ${location.href}`));
    $('signout').onclick = () => { sessionStorage.removeItem(KEY); this.feed.stop(); location.reload(); };

    this.map = new CityMap($('map'), config);
    this.loaded = []; // { box, districts (null: all) } whose assets are loaded
    this.generation = 0;
    this.confirm = confirmDialog;
    this.board = new AlarmBoard($('alarms'), { api, canOperate: can.operate, confirm: confirmDialog, onSelectAsset: id => this.select(id, true), onViewChange: () => this.saveUrl() });
    this.kpis = new KpiBar($('kpis'), $('kpi-district'), { api, onScope: () => this.saveUrl() });
    this.panel = new AssetPanel($('panel'), {
      api, canOperate: can.operate, confirm: confirmDialog,
      onSelectAsset: id => this.select(id, true),
      onLines: (from, ids, colour) => this.map.drawLines(from, ids, colour),
      onClose: () => { this.map.select(null); this.map.drawLines(null, [], ''); this.saveUrl(); },
    });
    this.feed = new LiveFeed(api, {
      onState: (state, detail) => this.feedState(state, detail),
      onGap: gap => this.gap(gap),
      onEvent: (type, data) => this.event(type, data),
    });
    this.statsTimer = 0;
    this.picking = false;
    // What-if scenarios, sweeps and plan searches for engineers and admins; operators get the plans found, to apply or
    // revert; viewers nothing (the API refuses them anyway).
    this.whatif = can.engineer || can.operate
      ? new WhatIf($('whatif'), { api, map: this.map, toggle: $('whatif-toggle'), onSelectAsset: id => this.select(id, true), can, confirm: confirmDialog })
      : null;
    this.restoring = true; // until begin() has applied the URL's view
    this.lastFind = '';
  }

  async begin(early) {
    const state = readUrl();
    if (state.large) this.setLarge(true, false);
    const stats = await early.catch(() => this.api.stats());
    if (state.view) this.map.map.setView([state.view.lat, state.view.lon], state.view.zoom);
    this.showStats(stats, !state.view);
    // The address follows the view a moment after it stops moving (not on every step of a pan).
    this.map.map.on('moveend', () => { this.map.refreshMode(); this.loadViewport(); clearTimeout(this.urlTimer); this.urlTimer = setTimeout(() => this.saveUrl(), 250); });
    this.map.map.on('click', e => this.click(e));
    this.map.points.on('drawn', () => {
      const lag = probe.lag;
      if (!lag.pending.length) return;
      const now = Date.now();
      for (let i = 0; i < lag.pending.length; i += 2) { lag.published.push(now - lag.pending[i]); lag.received.push(now - lag.pending[i + 1]); }
      lag.pending.length = 0;
    });
    this.wireFind();
    this.wireKeys();
    if (state.board) this.board.view = state.board;
    this.board.shelvedOnly = state.shelved;
    this.feed.start(); // before the first load: nothing that changes meanwhile is missed
    this.statsPoll = setInterval(() => this.refreshStats(), 10000); // the KPIs and sparklines move on when the feed is quiet too
    // The streets do not change with the feed: read once, after the first draw has what it needs.
    this.api.get('/api/export?type=intersection').then(city => this.map.setStreets(city.features ?? []))
      .catch(e => this.notice(`streets: ${e.message}`));
    await Promise.all([
      this.loadViewport(),
      this.board.load().catch(e => this.notice(`alarms: ${e.message}`)),
      this.kpis.setDistrict(state.kpi).catch(e => this.notice(`KPI history: ${e.message}`)),
    ]);
    // What the URL named: the find (without moving the map when the URL placed it) and the asset's panel.
    if (state.find) { $('find-q').value = state.find; await this.find({ fit: !state.view, open: !state.asset }); }
    if (state.asset) await this.select(state.asset, !state.view);
    this.restoring = false;
    this.saveUrl();
    probe.readyAt = performance.now();
    probe.ready = true;
  }

  // ---- the view in the URL, large type, keys ----------------------------------------------------------------------

  /**
   * The view as the URL's fragment (`#map=zoom/lat/lon&find=…&asset=…&large=1&board=flat&shelved=1&kpi=d02`), kept
   * current with replaceState, so a copied link opens the same view (after sign-in: the key is never in it).
   */
  saveUrl() {
    if (this.restoring) return;
    const c = this.map.map.getCenter(), p = new URLSearchParams();
    p.set('map', `${this.map.map.getZoom()}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    if (this.lastFind) p.set('find', this.lastFind);
    if (this.panel.id) p.set('asset', this.panel.id);
    if (document.body.classList.contains('large')) p.set('large', '1');
    if (this.board.view !== 'root') p.set('board', this.board.view);
    if (this.board.shelvedOnly) p.set('shelved', '1');
    if (this.kpis.district) p.set('kpi', this.kpis.district);
    const hash = `#${p.toString()}`;
    if (hash !== location.hash) history.replaceState(null, '', hash);
  }

  setLarge(on, save = true) {
    document.body.classList.toggle('large', on);
    $('large').setAttribute('aria-pressed', String(on));
    this.map.setMarkerScale(on ? 1.75 : 1);
    this.map.map.invalidateSize();
    this.kpis.resize(on);
    if (save) this.saveUrl();
  }

  wireKeys() {
    document.addEventListener('keydown', e => {
      const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
      if ($('confirm').open) return; // the dialog has its own keys (Escape cancels)
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        $('find-q').focus();
        $('find-q').select();
      } else if (e.key === 'Escape') {
        if (this.picking) { this.picking = false; $('map').classList.remove('picking'); $('find-summary').textContent = ''; }
        else if (typing && e.target.id === 'find-q' && e.target.value) return; // the search box clears itself
        else if (!this.panel.element.hidden) { this.panel.close(); $('find-q').focus(); }
        else if ($('find-filters').open) { $('find-filters').open = false; }
      } else if ((e.key === 'l' || e.key === 'L') && e.altKey && !e.ctrlKey) {
        e.preventDefault();
        this.setLarge(!document.body.classList.contains('large'));
      }
    });
  }

  // ---- the map's assets -------------------------------------------------------------------------------------------

  /**
   * The assets the view shows and are not loaded yet, and around them. A district's assets lie in its box, so what the
   * view needs is its part of each district it meets: a move inside what is loaded asks nothing (on a 100,000-asset
   * city, every pan and zoom read the whole view again — the unpadded view, the padded one being over the API's box
   * limit — parsing 100 pages a move).
   */
  async loadViewport() {
    if (this.map.aggregated) return;
    const view = this.map.viewBox(), known = this.map.districts.length > 0;
    const covered = (box, district) => this.loaded.some(l => (!l.districts || l.districts.has(district)) && contains(l.box, box));
    const missing = this.map.districts.filter(d => meets(d.bbox, view) && !covered(clip(view, d.bbox), d.id));
    if (known ? !missing.length : covered(view, null)) return;
    // The view padded (a pan nearby needs no query), clipped to those districts, within the API's box limit.
    const area = known ? missing.map(d => d.bbox).reduce(union) : null;
    const box = [0.5, 0.25, 0.1].map(pad => area ? clip(this.map.viewBox(pad), area) : this.map.viewBox(pad))
      .find(b => CityMap.areaKm2(b) <= MAX_BOX_KM2) ?? (area ? clip(view, area) : view);
    const generation = ++this.generation;
    this.loading?.abort(); // the older load's view moved on: its pages in flight are not worth reading
    const { signal } = this.loading = new AbortController();
    probe.loads++;
    // One query per district, a few at a time: a city-wide bbox page asks every district for a page and keeps one
    // district's worth (40 districts: 40,000 assets read per 1,000 shown); a district's asks only it.
    const paths = (known ? missing.map(d => `&district=${encodeURIComponent(d.id)}`) : [''])
      .map(d => `/api/assets?bbox=${box.join(',')}${d}&limit=1000`);
    let failed = null;
    const worker = async () => {
      for (let path; (path = paths.shift()) !== undefined;) {
        for await (const page of this.api.pages(path, Infinity, signal)) {
          if (generation !== this.generation) return; // the view moved on; the new load takes over
          for (const item of page.items) this.map.upsert(item);
          probe.loadedAssets = this.map.store.size;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOADERS, paths.length) }, () => worker().catch(e => { failed ??= e; paths.length = 0; })));
    if (generation !== this.generation) return;
    if (failed) this.notice(`assets: ${failed.message}`);
    else this.loaded.push({ box, districts: known ? new Set(missing.map(d => d.id)) : null });
  }

  /** After a gap in the feed: forget what was loaded and read the state again, then follow the feed. */
  async resync() {
    this.loaded = [];
    this.map.clear();
    await Promise.all([this.loadViewport(), this.refreshStats(), this.board.load().catch(() => {})]);
  }

  click(e) {
    if (this.picking) {
      this.picking = false;
      $('map').classList.remove('picking');
      const radius = Number($('find-radius').value) || 300;
      $('find-q').value = `near=${e.latlng.lng.toFixed(6)},${e.latlng.lat.toFixed(6)} radius=${radius}`;
      this.find();
      return;
    }
    const hit = this.map.points.visible ? this.map.points.hit(e.containerPoint) : null;
    if (hit) this.select(hit.id, false);
  }

  async select(id, center) {
    this.map.select(id);
    if (center && !this.map.store.has(id)) {
      try { this.map.upsert(await this.api.asset(id)); } catch { /* the panel says why */ }
    }
    if (center) this.map.fitTo([id]);
    const opened = this.panel.open(id);
    this.saveUrl();
    await opened;
  }

  // ---- the live feed ----------------------------------------------------------------------------------------------

  event(type, data) {
    if (type === 'change') {
      if (probe.lag.on) { probe.lag.changes++; probe.lag.pending.push(Date.parse(data.at), Date.now()); }
      this.map.upsert({ id: data.asset, type: data.type, status: data.status, district: data.district, location: data.location, attributes: data.attributes });
      this.panel.changed(data.asset);
      this.scheduleStats();
    } else if (type === 'alarm') {
      this.board.apply(data);
      this.scheduleStats();
    }
  }

  feedState(state, detail) {
    const e = $('feed-state');
    e.dataset.state = state;
    e.textContent = `feed: ${state}`;
    e.title = detail ?? 'Live feed';
    if (state === 'reconnecting' && detail) this.notice(`Live feed lost: ${detail}`);
    if (state === 'live' && this.feed.stats.connects > 1) this.notice(`Live feed back${this.feed.lastEventId ? `, resumed after ${this.feed.lastEventId}` : ''}.`);
    if (state === 'unauthorized') this.notice('The live feed refused this key (revoked or expired?): sign in again.');
  }

  gap(gap) {
    const what = gap.reason === 'overflow'
      ? `this console fell behind (${gap.missed ?? '?'} events); fetching them again`
      : `${gap.reason}${gap.district ? ` (${gap.district})` : ''}${gap.detail ? `: ${gap.detail}` : ''}; reloading the state`;
    this.notice(`Gap in the live feed — ${what}.`);
    if (gap.reason !== 'overflow') this.resync();
  }

  notice(text) {
    const box = $('notices');
    box.prepend(el('p', {}, `${new Date().toLocaleTimeString()} ${text}`));
    while (box.children.length > 20) box.lastChild.remove();
  }

  // ---- counts and KPIs --------------------------------------------------------------------------------------------

  scheduleStats() {
    if (this.statsTimer) return;
    this.statsTimer = setTimeout(() => { this.statsTimer = 0; this.refreshStats(); }, 1000);
  }

  async refreshStats() {
    try { this.showStats(await this.api.stats(), false); } catch (error) { this.notice(`stats: ${error.message}`); }
  }

  showStats(stats, fit) {
    this.kpis.show(stats);
    this.map.setDistricts(stats.districts, fit);
    const list = $('districts');
    // The lines are built once per set of districts; after that only their text changes, and only where it reads
    // differently (this runs every second under a busy feed).
    const ids = stats.districts.map(d => d.id).join();
    if (ids !== this.districtIds) {
      this.districtIds = ids;
      const filter = $('ff-district'), options = ['', ...stats.districts.map(d => d.id)];
      const chosen = filter.value;
      filter.replaceChildren(...options.map(id => el('option', { value: id }, id || 'any')));
      filter.value = chosen;
      list.replaceChildren();
      this.districtLines = new Map();
      for (const d of stats.districts) {
        const text = el('span', {});
        const li = el('li', {}, el('button', { type: 'button', className: 'link' }, d.id), text);
        li.firstChild.addEventListener('click', () => { const [a, b, c2, d2] = this.districtBox(d.id); this.map.map.fitBounds([[b, a], [d2, c2]]); });
        if (this.can.operate) {
          for (const [label, on] of [['Power off', false], ['Power on', true]]) {
            const button = el('button', { type: 'button', className: on ? '' : 'danger' }, label);
            button.dataset.action = `${label} ${d.id}`;
            button.addEventListener('click', () => confirmDialog({
              title: `${label}: ${d.id}`, text: on ? `Restore district ${d.id}'s power?` : `Cut the power of district ${d.id}? Its poles and signals go dark.`,
              ok: label, run: () => this.api.setPower(d.id, on),
            }));
            li.append(button);
          }
        }
        list.append(li);
        this.districtLines.set(d.id, text);
      }
    }
    this.districtBoxes = new Map(stats.districts.map(d => [d.id, d.bbox]));
    for (const d of stats.districts) {
      const offline = d.counts.filter(x => x.status === 'offline').reduce((n, x) => n + x.count, 0);
      const line = ` ${d.total} assets · ${offline} offline · ${d.powerDrawKw.toFixed(0)} kW · ${d.linksDown} links down`;
      const text = this.districtLines.get(d.id);
      if (text.textContent !== line) text.textContent = line;
    }
  }

  districtBox(id) { return this.districtBoxes.get(id); }

  // ---- find -------------------------------------------------------------------------------------------------------

  wireFind() {
    $('find-form').addEventListener('submit', e => { e.preventDefault(); this.find(); });
    $('find-near').addEventListener('click', () => { this.picking = true; $('map').classList.add('picking'); $('find-summary').textContent = 'Click the map to search around a point.'; });
    $('find-clear').addEventListener('click', () => { $('find-q').value = ''; $('find-results').replaceChildren(); $('find-summary').textContent = ''; $('find-error').textContent = ''; this.map.highlight([]); this.lastFind = ''; this.saveUrl(); });
    // The filters form builds the same text as typing it would, then finds.
    const attributes = () => {
      const type = $('ff-type').value;
      $('ff-attributes').replaceChildren(...(type ? ATTRIBUTES[type] : [...new Set(Object.values(ATTRIBUTES).flat())]).map(a => el('option', { value: a })));
    };
    $('ff-type').addEventListener('change', attributes);
    attributes();
    const apply = () => {
      const built = buildFind({ type: $('ff-type').value, status: $('ff-status').value, district: $('ff-district').value, attribute: $('ff-attribute').value, op: $('ff-op').value, value: $('ff-value').value });
      $('find-error').textContent = built.error ?? '';
      if (built.error) return;
      $('find-q').value = built.text;
      this.find();
    };
    $('ff-apply').addEventListener('click', apply);
    for (const id of ['ff-attribute', 'ff-value']) $(id).addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); apply(); } });
  }

  /** @param {{ fit?: boolean, open?: boolean }} options whether to move the map to the results, and open a lone result's panel */
  async find({ fit = true, open = true } = {}) {
    const parsed = parseFind($('find-q').value);
    $('find-error').textContent = parsed.error ?? '';
    if (parsed.error) return;
    this.lastFind = $('find-q').value.trim();
    this.saveUrl();
    const results = $('find-results');
    results.replaceChildren();
    let items = [];
    try {
      if (parsed.id) items = [await this.api.asset(parsed.id)];
      else for await (const page of this.api.pages(`/api/assets?${parsed.query}${/(^|&)limit=/.test(parsed.query) ? '' : '&limit=1000'}`, 5000)) items.push(...page.items);
    } catch (error) {
      $('find-error').textContent = error.status === 404 ? `No asset has the id '${parsed.id}'.` : error.message;
      $('find-summary').textContent = '';
      this.map.highlight([]);
      return;
    }
    for (const item of items) this.map.upsert(item);
    const ids = items.map(i => i.id);
    this.map.highlight(ids);
    $('find-summary').textContent = `${items.length.toLocaleString()} found${items.length >= 5000 ? ' (first 5,000)' : ''}`;
    $('find-summary').dataset.count = String(items.length);
    for (const item of items.slice(0, 200)) {
      const open = el('button', { type: 'button', className: 'link' }, item.id);
      open.addEventListener('click', () => this.select(item.id, true));
      results.append(el('li', {}, open, el('span', { className: `st ${item.status}` }, item.status), ` ${item.type} ${item.district}${item.distanceM !== undefined && item.distanceM !== null ? ` ${Math.round(item.distanceM)} m` : ''}`));
    }
    if (items.length > 200) results.append(el('li', {}, `… ${items.length - 200} more highlighted on the map`));
    if (ids.length && fit) this.map.fitTo(ids);
    if (items.length === 1 && open) this.select(items[0].id, false);
  }
}

/** The view the URL's fragment names (see Console.saveUrl). */
function readUrl() {
  const p = new URLSearchParams(location.hash.slice(1));
  const [zoom, lat, lon] = (p.get('map') ?? '').split('/').map(Number);
  const view = [zoom, lat, lon].every(Number.isFinite) && p.get('map') ? { zoom, lat, lon } : null;
  const board = ['root', 'flat'].includes(p.get('board')) ? p.get('board') : null;
  return { view, find: p.get('find') ?? '', asset: p.get('asset') || null, large: p.get('large') === '1', board, shelved: p.get('shelved') === '1', kpi: p.get('kpi') || null };
}

/** Viewport loads in flight at once (one district's pages each). */
const LOADERS = 4;
/** The API's largest bbox query (QueryLimits.MaxBoxKm2). */
const MAX_BOX_KM2 = 400;

function meets(a, b) { return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]; }

function contains(outer, inner) { return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]; }

function clip(a, b) { return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]; }

function union(a, b) { return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]; }

/**
 * The one confirmation dialog: resolves to the note ('' without one) once `run` succeeded, or null when cancelled.
 * An API refusal stays in the dialog, named, so the operator can cancel or fix the note.
 */
function confirmDialog({ title, text, note = false, ok = 'Confirm', run }) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-error').textContent = '';
  $('confirm-ok').textContent = ok;
  $('confirm-note').hidden = $('confirm-note-label').hidden = !note;
  $('confirm-note').value = '';
  return new Promise(resolve => {
    const finish = value => {
      dialog.removeEventListener('cancel', onCancel);
      $('confirm-form').removeEventListener('submit', onSubmit);
      $('confirm-cancel').removeEventListener('click', onCancel);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onCancel = e => { e.preventDefault(); finish(null); };
    const onSubmit = async e => {
      e.preventDefault();
      const value = note ? $('confirm-note').value.trim() : '';
      $('confirm-ok').disabled = true;
      try {
        await run(value || undefined);
        finish(value);
      } catch (error) {
        $('confirm-error').textContent = error.message;
      } finally {
        $('confirm-ok').disabled = false;
      }
    };
    dialog.addEventListener('cancel', onCancel);
    $('confirm-form').addEventListener('submit', onSubmit);
    $('confirm-cancel').addEventListener('click', onCancel);
    dialog.showModal();
    (note ? $('confirm-note') : $('confirm-cancel')).focus();
  });
}
