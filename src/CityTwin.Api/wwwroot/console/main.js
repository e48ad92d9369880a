// The operations-centre console: sign-in, the map, the live feed, find, the asset panel, the alarm board and the
// incident actions, wired together. Plain ES modules, no build step; Leaflet and uPlot are vendored (vendor/).
import { Api, ApiError, abilities } from './api.js';
import { LiveFeed } from './feed.js';
import { CityMap } from './map.js';
import { AlarmBoard, el, SEVERITIES } from './alarms.js';
import { AssetPanel } from './panel.js';
import { parseFind } from './find.js';

const KEY = 'citytwin.key';
const $ = id => document.getElementById(id);

/** What the browser tests (and a curious operator in the devtools) can read. */
const probe = window.__citytwin = {
  ready: false, signedIn: false, loads: 0, loadedAssets: 0,
  get drawn() { return session?.map?.points.drawn ?? 0; },
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
  viewBox() { return session?.map?.viewBox() ?? null; },
  get leaflet() { return session?.map?.map ?? null; },
  lag: { on: false, pending: [], published: [], received: [], changes: 0 },
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
  await session.begin();
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
    $('large').onclick = () => $('large').setAttribute('aria-pressed', String(document.body.classList.toggle('large')));
    $('signout').onclick = () => { sessionStorage.removeItem(KEY); this.feed.stop(); location.reload(); };

    this.map = new CityMap($('map'), config);
    this.loaded = []; // boxes whose assets are loaded
    this.generation = 0;
    this.confirm = confirmDialog;
    this.board = new AlarmBoard($('alarms'), { api, canOperate: can.operate, confirm: confirmDialog, onSelectAsset: id => this.select(id, true) });
    this.panel = new AssetPanel($('panel'), {
      api, canOperate: can.operate, confirm: confirmDialog,
      onSelectAsset: id => this.select(id, true),
      onLines: (from, ids, colour) => this.map.drawLines(from, ids, colour),
      onClose: () => { this.map.select(null); this.map.drawLines(null, [], ''); },
    });
    this.feed = new LiveFeed(api, {
      onState: (state, detail) => this.feedState(state, detail),
      onGap: gap => this.gap(gap),
      onEvent: (type, data) => this.event(type, data),
    });
    this.statsTimer = 0;
    this.picking = false;
  }

  async begin() {
    const stats = await this.api.stats();
    this.showStats(stats, true);
    this.map.map.on('moveend', () => { this.map.refreshMode(); this.loadViewport(); });
    this.map.map.on('click', e => this.click(e));
    this.map.points.on('drawn', () => {
      const lag = probe.lag;
      if (!lag.pending.length) return;
      const now = Date.now();
      for (let i = 0; i < lag.pending.length; i += 2) { lag.published.push(now - lag.pending[i]); lag.received.push(now - lag.pending[i + 1]); }
      lag.pending.length = 0;
    });
    this.wireFind();
    this.feed.start(); // before the first load: nothing that changes meanwhile is missed
    await Promise.all([this.loadViewport(), this.board.load().catch(e => this.notice(`alarms: ${e.message}`))]);
    probe.readyAt = performance.now();
    probe.ready = true;
  }

  // ---- the map's assets -------------------------------------------------------------------------------------------

  async loadViewport() {
    if (this.map.aggregated) return;
    const view = this.map.viewBox();
    if (this.loaded.some(b => contains(b, view))) return;
    let box = this.map.viewBox(0.5);
    if (CityMap.areaKm2(box) > 400) box = view;
    const generation = ++this.generation;
    probe.loads++;
    // One query per district the box meets, a few at a time: a city-wide bbox page asks every district for a page
    // and keeps one district's worth (40 districts: 40,000 assets read per 1,000 shown); a district's asks only it.
    const districts = this.map.districts.filter(d => meets(d.bbox, box)).map(d => d.id);
    const paths = (districts.length ? districts.map(d => `&district=${encodeURIComponent(d)}`) : [''])
      .map(d => `/api/assets?bbox=${box.join(',')}${d}&limit=1000`);
    let failed = null;
    const worker = async () => {
      for (let path; (path = paths.shift()) !== undefined;) {
        for await (const page of this.api.pages(path)) {
          if (generation !== this.generation) return; // the view moved on; the new load takes over
          for (const item of page.items) this.map.upsert(item);
          probe.loadedAssets = this.map.store.size;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOADERS, paths.length) }, () => worker().catch(e => { failed ??= e; paths.length = 0; })));
    if (failed) this.notice(`assets: ${failed.message}`);
    else if (generation === this.generation) this.loaded.push(box);
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
    await this.panel.open(id);
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
    const c = stats.city;
    const alarms = SEVERITIES.map(s => c.activeAlarms?.[s] ?? 0);
    $('kpis').replaceChildren(...[
      ['assets', c.assets.toLocaleString()], ['offline', `${(c.offlineRatio * 100).toFixed(1)}%`], ['power', `${c.powerDrawKw.toFixed(0)} kW`],
      ['congestion', c.congestionIndex.toFixed(2)], ['cameras w/o feed', c.camerasWithoutFeed], ['links down', c.linksDown],
      ['alarms', alarms.join('/')],
    ].map(([k, v]) => el('span', { title: k === 'alarms' ? 'critical/major/minor/warning' : '' }, `${k} `, el('b', {}, String(v)))));
    this.map.setDistricts(stats.districts, fit);
    const list = $('districts');
    list.replaceChildren();
    for (const d of stats.districts) {
      const offline = d.counts.filter(x => x.status === 'offline').reduce((n, x) => n + x.count, 0);
      const li = el('li', {}, el('button', { type: 'button', className: 'link' }, d.id), ` ${d.total} assets · ${offline} offline · ${d.powerDrawKw.toFixed(0)} kW · ${d.linksDown} links down`);
      li.firstChild.addEventListener('click', () => { const [a, b, c2, d2] = d.bbox; this.map.map.fitBounds([[b, a], [d2, c2]]); });
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
    }
  }

  // ---- find -------------------------------------------------------------------------------------------------------

  wireFind() {
    $('find-form').addEventListener('submit', e => { e.preventDefault(); this.find(); });
    $('find-near').addEventListener('click', () => { this.picking = true; $('map').classList.add('picking'); $('find-summary').textContent = 'Click the map to search around a point.'; });
    $('find-clear').addEventListener('click', () => { $('find-q').value = ''; $('find-results').replaceChildren(); $('find-summary').textContent = ''; $('find-error').textContent = ''; this.map.highlight([]); });
  }

  async find() {
    const parsed = parseFind($('find-q').value);
    $('find-error').textContent = parsed.error ?? '';
    if (parsed.error) return;
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
    if (ids.length) this.map.fitTo(ids);
    if (items.length === 1) this.select(items[0].id, false);
  }
}

/** Viewport loads in flight at once (one district's pages each). */
const LOADERS = 4;

function meets(a, b) { return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]; }

function contains(outer, inner) { return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]; }

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
