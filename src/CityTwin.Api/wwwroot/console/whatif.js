// The what-if view, for engineers (and admins): start from an example spec or build one with the form, run it on
// the silo (POST /api/scenarios), follow its progress (polling GET /api/scenarios/{id}: the live feed carries no
// scenario events), cancel it, and compare baseline with variant — the city's KPI deltas, its KPI series charted
// (uPlot), and the intersections and links that changed most, listed and ringed on the map in a layer of its own.
// The API validates; its problem details' per-field errors are shown next to the fields they name. Below the scenarios,
// sweeps and signal-plan searches of the same spec (jobs.js). Operators who are not engineers see only the plans
// engineers found, to apply or revert.
/* global L, uPlot */
import { el } from './alarms.js';
import { Sweeps, Optimisations, FINISHED, pollJob, cancelJob, loadRecentJobs, number, fmt, signed } from './jobs.js';

/** The perturbation kinds the API knows (Domain/Scenarios/PerturbationKind.cs) and the fields each one uses. */
export const KINDS = {
  linkDown: { label: 'LEO link fails', fields: ['targetId'], target: 'link' },
  linkDegraded: { label: 'LEO link degraded by rain', fields: ['targetId', 'rainRateMmPerHour'], target: 'link' },
  feederOutage: { label: 'power feeder cut', fields: ['targetId'], target: 'feeder' },
  districtOutage: { label: 'district power outage', fields: ['district'] },
  controllerFault: { label: 'signal controller dies', fields: ['targetId'], target: 'intersection' },
  cameraFailure: { label: 'cameras fail', fields: ['targetIds', 'district'], target: 'camera' },
  demandFactor: { label: 'demand surge (× factor)', fields: ['factor', 'district'] },
  signalPlanChange: { label: 'new signal plan', fields: ['targetIds', 'plan'], target: 'intersection' },
  lightingPolicy: { label: 'dimming policy', fields: ['lighting', 'district'] },
};

/** The city KPIs of a comparison (KpiTotals / KpiSeries), with how to show them. */
const KPIS = [
  { key: 'meanDelaySeconds', series: 'meanDelaySeconds', label: 'mean delay', unit: 's/veh', digits: 2 },
  { key: 'maxQueueVehicles', series: 'maxQueueVehicles', label: 'max queue', unit: 'veh', digits: 1 },
  { key: 'throughput', series: 'throughput', label: 'throughput', unit: 'veh', digits: 0 },
  { key: 'maxAssetsOffline', series: 'assetsOffline', label: 'assets offline (max)', unit: '', digits: 0 },
  { key: 'energyKWh', series: 'energyKWh', label: 'lighting energy', unit: 'kWh', digits: 1 },
  { key: 'maxCamerasWithoutFeed', series: 'camerasWithoutFeed', label: 'cameras without feed (max)', unit: '', digits: 0 },
  { key: 'linkAvailability', series: 'linkAvailability', label: 'link availability', unit: '%', digits: 2, scale: 100 },
];

const TOP = 10;

export class WhatIf {
  /**
   * @param {HTMLElement} element the view's section
   * @param {{ api, map: import('./map.js').CityMap, toggle: HTMLButtonElement, onSelectAsset(id), can: { engineer, operate }, confirm }} options
   */
  constructor(element, options) {
    this.element = element;
    this.options = options;
    this.engineer = options.can?.engineer ?? true;
    this.api = options.api;
    this.map = options.map;
    this.examples = [];
    this.current = null; // the scenario followed: { id, status, progress, … } from the API
    this.comparison = null;
    this.chart = null;
    this.poll = 0;
    this.followed = 0; // generation: a newer follow() ends the older poll
    this.perturbations = [];
    this.specs = new Map(); // scenario id → the spec this console submitted for it
    // The highlight layer: the most-changed intersections and links, in a pane above the asset canvas (z 450).
    const map = this.map.map;
    const pane = map.createPane('whatif');
    pane.style.zIndex = 460;
    pane.style.pointerEvents = 'none';
    this.layer = L.layerGroup().addTo(map);
    this.renderer = L.svg({ pane: 'whatif' });
    this.probe = {
      get open() { return !element.hidden; },
      scenario: null, status: null, compared: null, highlighted: [],
    };
    if (window.__citytwin) window.__citytwin.whatif = this.probe;
    this.build();
    const button = options.toggle;
    if (button) {
      button.hidden = false;
      if (!this.engineer) { button.textContent = 'Signal plans'; button.title = 'Signal plans engineers found, to apply or revert (operators)'; }
      button.addEventListener('click', () => this.toggle());
    }
  }

  // ---- the view ---------------------------------------------------------------------------------------------------

  build() {
    const close = el('button', { type: 'button', id: 'whatif-close', ariaLabel: 'Close the what-if view' }, '✕');
    close.addEventListener('click', () => this.toggle(false));
    this.form = el('form', { id: 'whatif-form', className: 'whatif-form', noValidate: true });
    this.form.addEventListener('submit', e => { e.preventDefault(); this.submit(); });
    this.status = el('div', { id: 'whatif-status', className: 'whatif-status', role: 'status' });
    this.result = el('div', { id: 'whatif-result', className: 'whatif-result' });
    this.recent = el('ol', { id: 'whatif-recent', className: 'whatif-recent' });
    const refresh = el('button', { type: 'button', id: 'whatif-recent-refresh' }, 'Refresh');
    refresh.addEventListener('click', () => this.loadRecent());
    this.optimisations = new Optimisations(this.api, this, { engineer: this.engineer, operate: this.options.can?.operate ?? false, confirm: this.options.confirm });
    if (!this.engineer) {
      this.element.replaceChildren(el('header', {}, el('h2', {}, 'Signal plans'), close), this.optimisations.element);
      return;
    }
    this.sweeps = new Sweeps(this.api, this);
    this.element.replaceChildren(
      el('header', {}, el('h2', {}, 'What-if scenarios'), close),
      el('p', { className: 'summary' }, 'A scenario forks the live twin (a district or the city) and simulates it with and without the perturbations; the live twin is not touched.'),
      this.form, this.status, this.result,
      el('h3', {}, 'Recent scenarios ', refresh), this.recent,
      this.sweeps.element, this.optimisations.element);
    this.buildForm();
  }

  /** Open or close the view: it takes the find column's place (the map and the asset panel stay). */
  async toggle(open = this.element.hidden) {
    this.element.hidden = !open;
    document.body.classList.toggle('whatif-open', open);
    this.options.toggle?.setAttribute('aria-pressed', String(open));
    this.map.map.invalidateSize();
    if (!open) return;
    if (!this.engineer) { await this.optimisations.loadRecent(); return; }
    for (const list of this.form.querySelectorAll('datalist[id^="whatif-targets-"]')) list.remove(); // the assets loaded since
    for (const kind of Object.values(KINDS)) this.ensureTargets(kind.target);
    if (!this.examples.length) await this.loadExamples();
    await Promise.all([this.loadRecent(), this.sweeps.loadRecent(), this.optimisations.loadRecent()]);
  }

  buildForm() {
    const f = this.form;
    this.exampleSelect = el('select', { id: 'whatif-example', ariaLabel: 'Example scenario' });
    const load = el('button', { type: 'button', id: 'whatif-example-load' }, 'Use example');
    load.addEventListener('click', () => { const x = this.examples.find(e => e.id === this.exampleSelect.value); if (x) this.fill(x.spec); });
    const add = el('select', { id: 'whatif-add-kind', ariaLabel: 'Kind of perturbation to add' },
      ...Object.entries(KINDS).map(([k, v]) => el('option', { value: k }, `${k} — ${v.label}`)));
    const addButton = el('button', { type: 'button', id: 'whatif-add' }, 'Add perturbation');
    addButton.addEventListener('click', () => { this.addPerturbation({ kind: add.value, atSeconds: 0 }); this.preview(); });
    this.perturbationList = el('ol', { id: 'whatif-perturbations', className: 'whatif-perturbations' });
    this.general = el('ul', { id: 'whatif-errors', className: 'error whatif-errors', role: 'alert' });
    this.json = el('textarea', { id: 'whatif-json', readOnly: true, rows: 10, spellcheck: false, ariaLabel: 'The spec as JSON' });
    this.run = el('button', { type: 'submit', id: 'whatif-run' }, 'Run scenario');
    this.cancel = el('button', { type: 'button', id: 'whatif-cancel', className: 'danger', hidden: true }, 'Cancel run');
    this.cancel.addEventListener('click', () => this.cancelRun());
    f.replaceChildren(
      el('div', { className: 'row' }, el('label', { htmlFor: 'whatif-example' }, 'Start from'), this.exampleSelect, load),
      el('div', { className: 'whatif-grid' },
        field('name', 'name', 'text', 'what this scenario asks'),
        field('snapshotId', 'snapshot (district id or city)', 'text', 'city', 'whatif-snapshots'),
        field('start', 'start (UTC, ISO 8601)', 'text', '2026-11-30T16:00:00Z'),
        field('horizonSeconds', 'horizon s', 'text', '3600'),
        field('intervalSeconds', 'interval s', 'text', '300'),
        field('warmUpSeconds', 'warm-up s', 'text', '600'),
        field('seed', 'seed', 'text', '1'),
        field('demand.tripsPerHourPerIntersection', 'trips/h per intersection', 'text', '15'),
        field('demand.fringeShare', 'through-traffic share', 'text', '0.7'),
        field('demand.fromTwin.window', 'demand from the cameras over (e.g. PT1H; empty: synthetic)', 'text', ''),
        field('utcOffsetMinutes', 'UTC offset min', 'text', '60')),
      el('datalist', { id: 'whatif-snapshots' }),
      el('h3', {}, 'Perturbations'),
      this.perturbationList,
      el('div', { className: 'row' }, add, addButton),
      this.general,
      el('div', { className: 'row' }, this.run, this.cancel),
      el('details', {}, el('summary', {}, 'The spec as JSON (what is sent)'), this.json));
    f.addEventListener('input', () => { this.touched = true; this.preview(); });
    this.fill({ name: 'New scenario', snapshotId: 'city', start: '2026-11-30T16:00:00Z', horizonSeconds: 3600, intervalSeconds: 300, warmUpSeconds: 600, seed: 1, demand: { tripsPerHourPerIntersection: 15 }, perturbations: [] });
  }

  async loadExamples() {
    try {
      this.examples = (await this.api.get('/api/scenarios/examples')).examples ?? [];
    } catch (error) {
      this.general.replaceChildren(el('li', {}, `examples: ${error.message}`));
      return;
    }
    this.exampleSelect.replaceChildren(...this.examples.map(x => el('option', { value: x.id }, `${x.id} — ${x.name}`)));
    this.element.dataset.examples = String(this.examples.length);
    if (this.examples.length && !this.touched) this.fill(this.examples[0].spec);
  }

  /** Put a spec into the form (an example's, or a past one's). */
  fill(spec) {
    this.clearErrors();
    for (const input of this.form.querySelectorAll(':scope > .whatif-grid [data-field]')) {
      const v = input.dataset.field.split('.').reduce((o, k) => o?.[k], spec);
      input.value = v === undefined || v === null ? '' : String(v);
    }
    const snapshots = this.form.querySelector('#whatif-snapshots');
    snapshots.replaceChildren(...['city', ...this.map.districts.map(d => d.id)].map(id => el('option', { value: id })));
    // Saved snapshots too (GET /api/snapshots): a spec may name one instead of a live district.
    this.api.get('/api/snapshots').then(r => snapshots.append(...(r.snapshots ?? []).map(s => el('option', { value: s.name, label: `${s.name} (saved ${s.takenAt})` })))).catch(() => {});
    this.perturbations = [];
    this.perturbationList.replaceChildren();
    for (const p of spec.perturbations ?? []) this.addPerturbation(p);
    this.preview();
  }

  addPerturbation(p) {
    const k = this.perturbations.length;
    const row = el('li', { className: 'whatif-perturbation' });
    row.dataset.field = `perturbations[${k}]`;
    const kind = el('select', { ariaLabel: `perturbation ${k + 1}: kind` }, ...Object.keys(KINDS).map(x => el('option', { value: x, selected: x === p.kind }, x)));
    kind.dataset.field = `perturbations[${k}].kind`;
    const remove = el('button', { type: 'button', ariaLabel: `Remove perturbation ${k + 1}` }, '✕');
    const entry = { row, kind, values: { ...p } };
    remove.addEventListener('click', () => {
      const specNow = this.spec();
      specNow.perturbations.splice(this.perturbations.indexOf(entry), 1);
      this.touched = true;
      this.fill(specNow);
    });
    const body = el('div', { className: 'whatif-grid' });
    const draw = () => {
      const fields = ['atSeconds', 'durationSeconds', ...KINDS[kind.value].fields];
      body.replaceChildren(...fields.map(name => this.perturbationField(k, name, entry.values[name], KINDS[kind.value])));
    };
    const label = el('span', { className: 'summary' }, KINDS[p.kind]?.label ?? '');
    kind.addEventListener('change', () => { entry.values = { ...this.readPerturbation(entry), kind: kind.value }; label.textContent = KINDS[kind.value].label; draw(); this.preview(); });
    draw();
    row.append(el('div', { className: 'row' }, el('b', {}, `${k + 1}.`), kind, label, remove), body);
    entry.body = body;
    this.perturbations.push(entry);
    this.perturbationList.append(row);
  }

  perturbationField(k, name, value, kind) {
    const path = `perturbations[${k}].${name}`;
    const labels = {
      atSeconds: 'at s', durationSeconds: 'for s (empty: to the end)', targetId: `${kind.target ?? 'target'} id`, targetIds: `${kind.target ?? 'target'} ids (space-separated)`,
      district: kind.fields[0] === 'district' ? 'district' : 'district (optional)', factor: 'demand factor (× trips)', rainRateMmPerHour: 'rain mm/h',
      plan: 'signal plan (JSON)', lighting: 'dimming: dusk % then hour:% steps (e.g. "70 0:50 5:70")',
    };
    let text = '';
    if (name === 'targetIds') text = (value ?? []).join(' ');
    else if (name === 'plan') text = value ? JSON.stringify(value) : '{"cycleSeconds":90,"lostTimePerPhaseSeconds":4,"phases":[{"name":"NS","approaches":["north","south"],"greenSeconds":41},{"name":"EW","approaches":["east","west"],"greenSeconds":41}]}';
    else if (name === 'lighting') text = value ? [value.duskLevelPercent ?? '-', ...(value.steps ?? []).map(s => `${s.atHour}:${s.levelPercent}`)].join(' ') : '- 0:60';
    else if (value !== undefined && value !== null) text = String(value);
    const input = name === 'plan' ? el('textarea', { rows: 2, value: text, spellcheck: false }) : el('input', { type: 'text', value: text, spellcheck: false, autocomplete: 'off' });
    input.dataset.field = path;
    input.dataset.name = name;
    input.id = `whatif-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
    if (name === 'targetId' || name === 'targetIds') input.setAttribute('list', `whatif-targets-${kind.target}`);
    this.ensureTargets(kind.target);
    return el('label', { className: 'whatif-field' }, el('span', {}, labels[name] ?? name), input, el('span', { className: 'error field-error' }));
  }

  /** Suggestions for target ids: the loaded assets of that type (any id may be typed; the API checks it). */
  ensureTargets(type) {
    if (!type || type === 'feeder' || this.form.querySelector(`#whatif-targets-${type}`)) return;
    const ids = [...this.map.store.values()].filter(a => a.type === type).map(a => a.id).sort().slice(0, 2000);
    this.form.append(el('datalist', { id: `whatif-targets-${type}` }, ...ids.map(id => el('option', { value: id }))));
  }

  readPerturbation(entry) {
    const p = { kind: entry.kind.value };
    for (const input of entry.body.querySelectorAll('[data-name]')) {
      const name = input.dataset.name, text = input.value.trim();
      if (text === '') continue;
      if (name === 'targetIds') p.targetIds = text.split(/[\s,]+/).filter(Boolean);
      else if (name === 'targetId' || name === 'district') p[name] = text;
      else if (name === 'plan') { try { p.plan = JSON.parse(text); } catch { p.plan = text; } }
      else if (name === 'lighting') p.lighting = lighting(text);
      else p[name] = number(text);
    }
    return p;
  }

  /** The spec the form describes: what is sent, as typed (an empty field is left out: the API's default applies). */
  spec() {
    const spec = {};
    for (const input of this.form.querySelectorAll(':scope > .whatif-grid [data-field]')) {
      const text = input.value.trim();
      if (text === '') continue;
      const path = input.dataset.field.split('.');
      const value = ['name', 'snapshotId', 'start', 'demand.fromTwin.window'].includes(input.dataset.field) ? text : number(text);
      let o = spec;
      for (const k of path.slice(0, -1)) o = o[k] ??= {};
      o[path.at(-1)] = value;
    }
    spec.perturbations = this.perturbations.map(e => this.readPerturbation(e));
    return spec;
  }

  preview() { this.json.value = JSON.stringify(this.spec(), null, 2); }

  // ---- run, follow, cancel ----------------------------------------------------------------------------------------

  async submit() {
    this.clearErrors();
    const spec = this.spec();
    this.run.disabled = true;
    try {
      const accepted = await this.api.post('/api/scenarios', spec);
      this.specs.set(accepted.id, spec);
      this.follow(accepted.id);
    } catch (error) {
      this.showErrors(error);
    } finally {
      this.run.disabled = false;
    }
  }

  clearErrors() {
    for (const e of this.form.querySelectorAll('.field-error')) e.textContent = '';
    for (const e of this.form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    for (const e of this.form.querySelectorAll('.invalid')) e.classList.remove('invalid');
    this.general?.replaceChildren();
    delete this.element.dataset.errors;
  }

  /** The API's refusal: each per-field error next to the field it names (or its nearest named parent), the rest above the buttons. */
  showErrors(error) {
    const problem = error.problem ?? {};
    const errors = problem.errors ?? [];
    let shown = 0;
    for (const { field, message } of errors) {
      const target = this.fieldFor(field ?? '');
      if (target) {
        const input = target.matches('[data-field]') && !target.matches('li') ? target : null;
        const slot = input ? input.parentElement.querySelector('.field-error') : null;
        if (input && slot) {
          slot.textContent = [slot.textContent, field === input.dataset.field ? message : `${field}: ${message}`].filter(Boolean).join('; ');
          input.setAttribute('aria-invalid', 'true');
          shown++;
          continue;
        }
        target.classList.add('invalid');
      }
      this.general.append(el('li', {}, `${field}: ${message}`));
    }
    if (!errors.length) this.general.append(el('li', {}, error.status === 503 ? `${problem.title}: ${problem.detail ?? 'try again shortly'}` : error.message));
    this.element.dataset.errors = String(errors.length || 1);
    this.element.dataset.fieldErrors = String(shown);
    this.form.querySelector('[aria-invalid=true]')?.focus();
  }

  /** The input for an error's field (perturbations[0].lighting.steps[1].atHour → …lighting), else the row it belongs to. */
  fieldFor(field) {
    for (let f = field; f; f = f.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
      const hit = [...this.form.querySelectorAll('[data-field]')].find(e => e.dataset.field === f);
      if (hit) return hit;
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(f)) break;
    }
    return null;
  }

  /** Follow a scenario: poll its status until it finishes, then compare (or say why there is nothing to compare). */
  async follow(id) {
    const generation = ++this.followed;
    clearTimeout(this.poll);
    this.clearMap();
    this.result.replaceChildren();
    delete this.result.dataset.compared;
    delete this.result.dataset.highlighted;
    this.comparison = null;
    this.probe.compared = null;
    this.probe.scenario = id;
    this.element.dataset.scenario = id;
    const progress = el('progress', { id: 'whatif-progress', max: 1, value: 0 });
    const line = el('span');
    this.status.replaceChildren(el('div', { className: 'row' }, el('b', {}, id), line), progress);
    const last = await pollJob(this.api, `/api/scenarios/${encodeURIComponent(id)}`, {
      wanted: () => generation === this.followed,
      timer: handle => { this.poll = handle; },
      onError: error => { line.textContent = ` ${error.message}`; this.cancel.hidden = true; },
      onView: view => {
        this.current = view;
        this.probe.status = view.status;
        this.element.dataset.status = view.status;
        progress.value = view.progress ?? 0;
        line.textContent = ` ${view.name} — ${view.status} ${Math.round((view.progress ?? 0) * 100)} %` +
          (view.snapshotAssets ? ` · snapshot of ${view.snapshotAssets.toLocaleString()} assets captured in ${view.snapshotSeconds.toFixed(2)} s` : '') +
          (view.error ? ` · ${view.error}` : '');
        this.cancel.hidden = FINISHED.includes(view.status);
      },
    });
    if (!last) return;
    progress.hidden = this.current.status !== 'completed';
    this.loadRecent();
    if (this.current.status === 'completed') await this.compare(id, generation);
    else this.result.replaceChildren(el('p', { className: this.current.status === 'failed' ? 'error' : 'summary' },
      this.current.status === 'cancelled' ? `Cancelled at ${Math.round((this.current.progress ?? 0) * 100)} %: there is nothing to compare.` : `Failed: ${this.current.error ?? 'no reason given'}.`));
  }

  async cancelRun() {
    if (!this.current?.id) return;
    await cancelJob(this.api, `/api/scenarios/${encodeURIComponent(this.current.id)}`, this.cancel, error => this.general.replaceChildren(el('li', {}, `cancel: ${error.message}`)));
  }

  // ---- the comparison ---------------------------------------------------------------------------------------------

  async compare(id, generation = this.followed) {
    let c;
    try {
      c = await this.api.get(`/api/scenarios/${encodeURIComponent(id)}/compare?top=${TOP}`);
    } catch (error) {
      this.result.replaceChildren(el('p', { className: 'error' }, `compare: ${error.message}`));
      return;
    }
    if (generation !== this.followed) return;
    this.comparison = c;
    const r = this.result;
    r.replaceChildren(el('h3', {}, `Baseline against variant: ${c.name}`),
      el('p', { className: 'summary' }, `${c.id} · seed ${c.seed} · ${formatSeconds(c.horizonSeconds)} in ${c.intervalEndSeconds.length} intervals · ${c.districtCount} district(s), ${c.intersectionCount} intersection(s), ${c.linkCount} link(s)`));
    // The server says which perturbations change nothing, and why (already so in the snapshot, a factor of 1, …).
    const reasons = (c.notes ?? []).filter(n => n.startsWith('Perturbation'));
    if (unchanged(c)) {
      r.append(el('p', { id: 'whatif-nochange', className: 'whatif-nochange', role: 'status' },
        this.specs.get(c.id)?.perturbations?.length === 0
          ? 'No perturbation: the variant is the baseline, so nothing changes.'
          : reasons.length > 0
            ? `${reasons.join(' ')} Baseline and variant are identical over the whole horizon.`
            : 'This perturbation changes nothing: baseline and variant are identical over the whole horizon — every city KPI, every trip and the intersections and links compared. (Is it outside the horizon, or on an asset nothing depends on at that time?)'));
    } else if (reasons.length > 0) {
      r.append(el('ul', { id: 'whatif-notes', className: 'whatif-nochange', role: 'status' }, ...reasons.map(n => el('li', {}, n))));
    }
    if (c.demandFit) {
      const f = c.demandFit, pct = x => `${Math.round(x * 100)} %`;
      r.append(el('p', { id: 'whatif-demandfit', className: 'summary' },
        `Demand from the twin's counts: ${f.camerasCounted} camera(s) on ${f.countedApproaches} approach(es), ${f.intersectionsCounted} intersection flow(s); GEH < 5 on ${pct(f.shareGehBelow5)} ` +
        `(the synthetic demand: ${pct(f.priorShareGehBelow5)}); ${Math.round(f.priorTripsPerHour)} → ${Math.round(f.estimatedTripsPerHour)} trips/h.`));
    }
    r.append(this.kpiTable(c), this.chartBlock(c));
    if (c.districtCount > 1) r.append(el('h3', {}, `Districts (worst mean delay first, ${c.districts.length} of ${c.districtCount})`), this.districtTable(c));
    r.append(el('h3', {}, `Most-changed intersections (${c.intersections.length} of ${c.intersectionCount}, by added delay)`), this.intersectionTable(c));
    r.append(el('h3', {}, `Links (${c.links.length} of ${c.linkCount}, by lost availability)`), this.linkTable(c));
    const show = el('button', { type: 'button', id: 'whatif-show' }, 'Show on map');
    show.addEventListener('click', () => this.highlight(c, true));
    const clear = el('button', { type: 'button', id: 'whatif-clear' }, 'Clear map');
    clear.addEventListener('click', () => this.clearMap());
    r.append(el('div', { className: 'row' }, show, clear));
    await this.highlight(c, false);
    this.probe.compared = c.id;
    r.dataset.compared = c.id;
  }

  kpiTable(c) {
    const t = el('table', { id: 'whatif-kpis', className: 'whatif-table' },
      el('thead', {}, el('tr', {}, ...['city KPI', 'baseline', 'variant', 'Δ', 'Δ %'].map(h => el('th', {}, h)))));
    const body = el('tbody');
    const row = (key, label, unit, b, v, d, digits, scale = 1) => {
      const tr = el('tr', {}, el('td', {}, label + (unit ? ` (${unit})` : '')), el('td', {}, fmt(b * scale, digits)), el('td', {}, fmt(v * scale, digits)),
        el('td', { className: d > 0 ? 'up' : d < 0 ? 'down' : '' }, signed(d * scale, digits)), el('td', {}, b ? signed(100 * d / Math.abs(b), 1) : d ? '—' : '0'));
      tr.dataset.kpi = key;
      tr.dataset.delta = String(d);
      tr.dataset.baseline = String(b);
      tr.dataset.variant = String(v);
      body.append(tr);
    };
    for (const k of KPIS) row(k.key, k.label, k.unit, c.city.baseline[k.key], c.city.variant[k.key], c.city.delta[k.key], k.digits, k.scale);
    row('tripsCompleted', 'trips completed', '', c.trips.baseline, c.trips.variant, c.trips.variant - c.trips.baseline, 0);
    row('meanTimeLossSeconds', 'mean time loss per trip', 's', c.trips.baselineMeanTimeLossSeconds, c.trips.variantMeanTimeLossSeconds, c.trips.variantMeanTimeLossSeconds - c.trips.baselineMeanTimeLossSeconds, 2);
    t.append(body);
    return t;
  }

  /** One uPlot chart, baseline against variant over the horizon, of the KPI chosen (by default the one that changed most). */
  chartBlock(c) {
    const select = el('select', { id: 'whatif-series', ariaLabel: 'KPI to chart' }, ...KPIS.map(k => el('option', { value: k.series }, k.label)));
    select.value = mostChanged(c);
    const box = el('div', { id: 'whatif-chart', className: 'chart whatif-chart' });
    const draw = () => {
      this.chart?.destroy();
      const k = KPIS.find(x => x.series === select.value), scale = k.scale ?? 1;
      const x = c.intervalEndSeconds.map(s => s / 60);
      const data = [x, c.citySeries.baseline[k.series].map(v => v * scale), c.citySeries.variant[k.series].map(v => v * scale)];
      this.chart = new uPlot({
        width: Math.max(300, this.element.clientWidth - 40), height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'minutes from start (interval end)' }, { label: `${k.label}${k.unit ? ` (${k.unit})` : ''}`, size: 60 }],
        series: [{ label: 'min' }, { label: 'baseline', stroke: '#667', width: 2 }, { label: 'variant', stroke: '#d62728', width: 2, dash: [6, 3] }],
      }, data, box);
      box.dataset.series = k.series;
    };
    select.addEventListener('change', draw);
    queueMicrotask(draw); // once the block is in the page (uPlot measures nothing, but the width comes from the view)
    return el('div', {}, el('div', { className: 'row' }, el('label', { htmlFor: 'whatif-series' }, 'Chart'), select), box);
  }

  districtTable(c) {
    return table(['district', 'Δ mean delay s', 'Δ max queue', 'Δ throughput', 'Δ offline (max)'], c.districts.map(d =>
      [d.id, signed(d.delta.meanDelaySeconds, 2), signed(d.delta.maxQueueVehicles, 1), signed(d.delta.throughput, 0), signed(d.delta.maxAssetsOffline, 0)]));
  }

  intersectionTable(c) {
    const t = table(['intersection', 'district', 'delay s b → v', 'Δ delay', 'max queue b → v', 'dark s'], c.intersections.map(i =>
      [this.assetLink(i.id), i.district, `${fmt(i.baseline.meanDelaySeconds, 1)} → ${fmt(i.variant.meanDelaySeconds, 1)}`, signed(i.delayDeltaSeconds, 2),
        `${fmt(i.baseline.maxQueueVehicles, 0)} → ${fmt(i.variant.maxQueueVehicles, 0)}`, `${i.variant.secondsDark}`]));
    t.id = 'whatif-intersections';
    [...t.tBodies[0].rows].forEach((tr, n) => { tr.dataset.id = c.intersections[n].id; tr.dataset.delta = String(c.intersections[n].delayDeltaSeconds); });
    return t;
  }

  linkTable(c) {
    const t = table(['link', 'district', 'availability % b → v', 'degraded % b → v', 'RTT ms b → v'], c.links.map(l =>
      [this.assetLink(l.id), l.district, `${fmt(100 * l.baseline.availability, 1)} → ${fmt(100 * l.variant.availability, 1)}`,
        `${fmt(100 * l.baseline.degradedShare, 1)} → ${fmt(100 * l.variant.degradedShare, 1)}`, `${fmt(l.baseline.meanRoundTripMs, 0)} → ${fmt(l.variant.meanRoundTripMs, 0)}`]));
    t.id = 'whatif-links';
    [...t.tBodies[0].rows].forEach((tr, n) => { tr.dataset.id = c.links[n].id; });
    return t;
  }

  assetLink(id) {
    const b = el('button', { type: 'button', className: 'link' }, id);
    b.addEventListener('click', () => this.options.onSelectAsset?.(id));
    return b;
  }

  // ---- the map ----------------------------------------------------------------------------------------------------

  clearMap() {
    this.layer.clearLayers();
    this.probe.highlighted = [];
  }

  /** Ring what changed: intersections red (delay up) or green (down), sized by the change; links that lost availability purple. */
  async highlight(c, fit) {
    this.clearMap();
    const changedIntersections = c.intersections.filter(i => i.delayDeltaSeconds !== 0 || !same(i.baseline, i.variant));
    const changedLinks = c.links.filter(l => !same(l.baseline, l.variant));
    const ids = [...changedIntersections.map(i => i.id), ...changedLinks.map(l => l.id)];
    const missing = ids.filter(id => !this.map.store.has(id));
    await Promise.all(missing.map(id => this.api.asset(id).then(a => this.map.upsert(a)).catch(() => null)));
    if (this.comparison !== c) return;
    const max = Math.max(1e-9, ...changedIntersections.map(i => Math.abs(i.delayDeltaSeconds)));
    const marks = [];
    for (const i of changedIntersections) {
      const a = this.map.store.get(i.id);
      if (!a) continue;
      const d = i.delayDeltaSeconds, way = d > 0 ? 'up' : d < 0 ? 'down' : 'same';
      L.circleMarker([a.lat, a.lon], {
        renderer: this.renderer, pane: 'whatif', interactive: false, radius: 9 + 9 * Math.abs(d) / max,
        color: { up: '#d62728', down: '#2e9e44', same: '#e0a800' }[way], weight: 3, fill: true, fillOpacity: 0.12, className: `whatif-mark whatif-intersection ${way}`,
      }).addTo(this.layer);
      marks.push(i.id);
    }
    for (const l of changedLinks) {
      const a = this.map.store.get(l.id);
      if (!a) continue;
      L.circleMarker([a.lat, a.lon], {
        renderer: this.renderer, pane: 'whatif', interactive: false, radius: 16, color: '#7a3db8', weight: 3, dashArray: '5 4', fill: false,
        className: 'whatif-mark whatif-link',
      }).addTo(this.layer);
      marks.push(l.id);
    }
    this.probe.highlighted = marks;
    this.result.dataset.highlighted = String(marks.length);
    if (fit && marks.length) this.map.fitTo(marks);
  }

  // ---- past scenarios ---------------------------------------------------------------------------------------------

  loadRecent() {
    return loadRecentJobs(this.api, '/api/scenarios?limit=20', 'scenarios', this.recent, id => this.follow(id), s => {
      const delay = s.summary?.city?.delta?.meanDelaySeconds;
      return delay !== undefined ? ` · Δ delay ${signed(delay, 2)} s` : '';
    });
  }
}

// ---- helpers ------------------------------------------------------------------------------------------------------

function field(path, label, type, placeholder, list) {
  const input = el('input', { type, placeholder, spellcheck: false, autocomplete: 'off', id: `whatif-${path.replace(/[^a-zA-Z0-9]+/g, '-')}` });
  input.dataset.field = path;
  if (list) input.setAttribute('list', list);
  return el('label', { className: 'whatif-field' }, el('span', {}, label), input, el('span', { className: 'error field-error' }));
}

/** "70 0:50 5:70" → { duskLevelPercent: 70, steps: [{ atHour: 0, levelPercent: 50 }, …] }; "-" keeps each pole's own level from dusk. */
function lighting(text) {
  const [dusk, ...steps] = text.split(/\s+/).filter(Boolean);
  const profile = { steps: [] };
  if (dusk && dusk !== '-') profile.duskLevelPercent = number(dusk);
  for (const s of steps) {
    const [h, l] = s.split(':');
    profile.steps.push({ atHour: number(h ?? ''), levelPercent: number(l ?? '') });
  }
  return profile;
}

function table(headers, rows) {
  const t = el('table', { className: 'whatif-table' }, el('thead', {}, el('tr', {}, ...headers.map(h => el('th', {}, h)))));
  const body = el('tbody', {}, ...rows.map(r => el('tr', {}, ...r.map(v => el('td', {}, v)))));
  if (!rows.length) body.append(el('tr', {}, el('td', { colSpan: headers.length, className: 'summary' }, 'none')));
  t.append(body);
  return t;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const formatSeconds = s => s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`;

/** Nothing changed: every city delta zero, the same trips, and the intersections and links compared identical. */
export function unchanged(c) {
  const zero = v => Math.abs(v) < 1e-9;
  return Object.values(c.city.delta).every(v => typeof v !== 'number' || zero(v))
    && zero(c.trips.variant - c.trips.baseline) && zero(c.trips.variantMeanTimeLossSeconds - c.trips.baselineMeanTimeLossSeconds)
    && c.intersections.every(i => zero(i.delayDeltaSeconds) && same(i.baseline, i.variant))
    && c.links.every(l => same(l.baseline, l.variant))
    && same(c.citySeries.baseline, c.citySeries.variant);
}

/**
 * The KPI to chart first: the first, in the table's order (delay, queue, throughput, offline, energy, cameras, links),
 * whose series differs between baseline and variant — a controller fault shows its delay, a dimming policy its energy.
 */
function mostChanged(c) {
  const changed = KPIS.find(k => !same(c.citySeries.baseline[k.series], c.citySeries.variant[k.series]));
  return (changed ?? KPIS[0]).series;
}
