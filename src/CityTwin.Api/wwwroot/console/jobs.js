// Sweeps and signal-plan optimisations in the what-if view. Both start from the scenario the form above describes:
// a sweep runs it for many seeds (and an optional parameter range) over the cluster and shows each KPI's mean and
// 5–95 % band; an optimisation searches cycle and splits for chosen intersections under its demand, and an operator
// puts the best plans on the live intersections (all or none) or puts the old ones back. Progress is polled (the live
// feed carries no job events); the API validates, and its field errors land next to the fields they name.
import { el, time } from './alarms.js';

const POLL_MS = 400;
export const FINISHED = ['completed', 'failed', 'cancelled'];

/** The KPIs a sweep's bands show first (the rest are in the API's answer), as the scenario comparison names them. */
const BAND_KPIS = [
  { key: 'meanDelaySeconds', label: 'mean delay', unit: 's/veh', digits: 2 },
  { key: 'meanTimeLossSeconds', label: 'time loss per trip', unit: 's', digits: 1 },
  { key: 'throughput', label: 'throughput', unit: 'veh', digits: 0 },
  { key: 'maxAssetsOffline', label: 'assets offline (max)', unit: '', digits: 0 },
];

/** A job kind's common shape: a form of its own fields, submit, follow by polling, cancel, and the recent ones. */
class Job {
  /**
   * @param {{ api, whatif: import('./whatif.js').WhatIf, kind: string, path: string, title: string, intro: string, runLabel: string }} o
   */
  constructor(o) {
    Object.assign(this, o);
    this.followed = 0;
    this.poll = 0;
    this.current = null;
    this.fields = el('div', { className: 'whatif-grid' });
    this.errors = el('ul', { id: `${o.kind}-errors`, className: 'error whatif-errors', role: 'alert' });
    this.run = el('button', { type: 'submit', id: `${o.kind}-run` }, o.runLabel);
    this.cancel = el('button', { type: 'button', id: `${o.kind}-cancel`, className: 'danger', hidden: true }, 'Cancel');
    this.cancel.addEventListener('click', () => this.cancelRun());
    this.form = el('form', { id: `${o.kind}-form`, className: 'whatif-form', noValidate: true },
      this.fields, this.errors, el('div', { className: 'row' }, this.run, this.cancel));
    this.form.addEventListener('submit', e => { e.preventDefault(); this.submit(); });
    this.status = el('div', { id: `${o.kind}-status`, className: 'whatif-status', role: 'status' });
    this.result = el('div', { id: `${o.kind}-result`, className: 'whatif-result' });
    this.recent = el('ol', { id: `${o.kind}-recent`, className: 'whatif-recent' });
    const refresh = el('button', { type: 'button', id: `${o.kind}-recent-refresh` }, 'Refresh');
    refresh.addEventListener('click', () => this.loadRecent());
    this.element = el('section', { id: o.kind, className: 'whatif-job' },
      el('h3', {}, o.title), el('p', { className: 'summary' }, o.intro),
      ...(o.readOnly ? [] : [this.form]), this.status, this.result,
      el('h4', {}, `Recent ${o.path.split('/').at(-1)} `, refresh), this.recent);
  }

  field(name, label, value, placeholder = '') {
    const input = el('input', { type: 'text', value: String(value ?? ''), placeholder, spellcheck: false, autocomplete: 'off', id: `${this.kind}-${name.replace(/[^a-zA-Z0-9]+/g, '-')}` });
    input.dataset.field = name;
    return el('label', { className: 'whatif-field' }, el('span', {}, label), input, el('span', { className: 'error field-error' }));
  }

  value(name) { return this.form.querySelector(`[data-field="${name}"]`)?.value.trim() ?? ''; }

  async submit() {
    this.clearErrors();
    this.whatif.clearErrors();
    const body = this.body();
    this.run.disabled = true;
    try {
      const accepted = await this.api.post(this.path, body);
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
    this.errors.replaceChildren();
    delete this.element.dataset.errors;
  }

  /** A refusal: the scenario's fields' errors go to the scenario form above; the job's own to its fields; the rest here. */
  showErrors(error) {
    const errors = error.problem?.errors ?? [];
    const scenario = errors.filter(e => e.field?.startsWith('scenario.')).map(e => ({ ...e, field: e.field.slice('scenario.'.length) }));
    if (scenario.length) this.whatif.showErrors({ ...error, problem: { ...error.problem, errors: scenario } });
    for (const { field, message } of errors.filter(e => !e.field?.startsWith('scenario.'))) {
      const input = this.form.querySelector(`[data-field="${(field ?? '').replace(/\[\d+\]$/, '')}"]`);
      if (input) {
        const slot = input.parentElement.querySelector('.field-error');
        slot.textContent = [slot.textContent, message].filter(Boolean).join('; ');
        input.setAttribute('aria-invalid', 'true');
      } else this.errors.append(el('li', {}, `${field}: ${message}`));
    }
    if (!errors.length) this.errors.append(el('li', {}, error.status === 503 ? `${error.problem?.title}: ${error.problem?.detail ?? 'try again shortly'}` : error.message));
    this.element.dataset.errors = String(errors.length || 1);
  }

  /** Poll a job until it finishes, showing its progress, then its result. */
  async follow(id) {
    const generation = ++this.followed;
    clearTimeout(this.poll);
    this.result.replaceChildren();
    delete this.result.dataset.shown;
    this.element.dataset.job = id;
    const progress = el('progress', { id: `${this.kind}-progress`, max: 1, value: 0 });
    const line = el('span');
    this.status.replaceChildren(el('div', { className: 'row' }, el('b', {}, id), line), progress);
    const last = await pollJob(this.api, `${this.path}/${encodeURIComponent(id)}`, {
      wanted: () => generation === this.followed,
      timer: handle => { this.poll = handle; },
      onError: error => { line.textContent = ` ${error.message}`; this.cancel.hidden = true; },
      onView: view => {
        this.current = view;
        this.element.dataset.status = view.status;
        progress.value = view.progress ?? 0;
        line.textContent = ` ${view.name} — ${view.status} ${Math.round((view.progress ?? 0) * 100)} %${this.progressText(view)}${view.error ? ` · ${view.error}` : ''}${view.note ? ` · ${view.note}` : ''}`;
        this.cancel.hidden = this.readOnly || FINISHED.includes(view.status);
        this.show(view); // a sweep's bands fill in while it runs
      },
    });
    if (!last) return;
    progress.hidden = this.current.status !== 'completed';
    this.loadRecent();
  }

  async cancelRun() {
    if (!this.current?.id) return;
    await cancelJob(this.api, `${this.path}/${encodeURIComponent(this.current.id)}`, this.cancel, error => this.errors.replaceChildren(el('li', {}, `cancel: ${error.message}`)));
  }

  loadRecent() {
    const key = this.path.split('/').at(-1);
    return loadRecentJobs(this.api, `${this.path}?limit=20`, key, this.recent, id => this.follow(id), j => this.recentText(j));
  }

  progressText() { return ''; }
  recentText() { return ''; }
}

/** Sweeps: the scenario above × seeds × an optional range; each KPI's mean and 5–95 % band per value. */
export class Sweeps extends Job {
  constructor(api, whatif) {
    super({
      api, whatif, kind: 'sweep', path: '/api/sweeps', title: 'Sweep: many seeds, a range',
      intro: 'One seed is one sample of the city\'s demand. A sweep runs the scenario above for several seeds — and, if you give a range, at each value of one parameter — spread over the cluster\'s silos, and shows each KPI\'s mean and 5–95 % band, baseline and variant.',
      runLabel: 'Run sweep',
    });
    this.fields.append(
      this.field('seeds', 'seeds', 10),
      this.field('range.parameter', 'parameter (empty: seeds only)', '', 'demand.scale'),
      this.field('range.from', 'from', '', '1.0'),
      this.field('range.to', 'to', '', '1.5'),
      this.field('range.step', 'step', '', '0.1'));
    const parameters = el('datalist', { id: 'sweep-parameters' }, ...['demand.scale', 'demand.tripsPerHourPerIntersection', 'perturbations[0].factor', 'perturbations[0].rainRateMmPerHour'].map(p => el('option', { value: p })));
    this.form.querySelector('[data-field="range.parameter"]').setAttribute('list', 'sweep-parameters');
    this.form.append(parameters);
  }

  body() {
    const scenario = this.whatif.spec();
    const body = { name: scenario.name ?? '', scenario, seeds: number(this.value('seeds')) };
    if (this.value('range.parameter')) {
      body.range = { parameter: this.value('range.parameter'), from: number(this.value('range.from')), to: number(this.value('range.to')) };
      if (this.value('range.step')) body.range.step = number(this.value('range.step'));
    }
    return body;
  }

  progressText(v) {
    const silos = Object.entries(v.runsBySilo ?? {});
    return ` · ${v.runs} runs, ${v.inFlight} in flight` + (silos.length ? ` · on ${silos.length} silo(s): ${silos.map(([, n]) => n).join(' + ')}` : '') + (v.attempt > 1 ? ` · attempt ${v.attempt}` : '');
  }

  recentText(j) { return ` · ${j.runs} runs`; }

  /** The bands: one row per value of the range (or one), each KPI's variant − baseline mean with its 5–95 % band. */
  show(v) {
    const r = v.result;
    if (!r || !r.points?.length) return;
    const head = el('tr', {}, el('th', {}, r.parameter ?? 'runs'), el('th', {}, 'runs'), ...BAND_KPIS.map(k => el('th', {}, `Δ ${k.label}${k.unit ? ` (${k.unit})` : ''}`)));
    const rows = r.points.map(p => {
      const cells = BAND_KPIS.map(k => {
        const b = p.kpis.find(x => x.kpi === k.key);
        if (!b || !Number.isFinite(b.delta.mean)) return el('td', {}, '–');
        const td = el('td', { className: b.delta.mean > 0 ? 'up' : b.delta.mean < 0 ? 'down' : '' },
          signed(b.delta.mean, k.digits), el('span', { className: 'band' }, ` [${signed(b.delta.p5, k.digits)} … ${signed(b.delta.p95, k.digits)}]`));
        td.title = `baseline ${fmt(b.baseline.mean, k.digits)} [${fmt(b.baseline.p5, k.digits)} … ${fmt(b.baseline.p95, k.digits)}], variant ${fmt(b.variant.mean, k.digits)} [${fmt(b.variant.p5, k.digits)} … ${fmt(b.variant.p95, k.digits)}]`;
        td.dataset.kpi = k.key;
        td.dataset.mean = String(b.delta.mean);
        td.dataset.p5 = String(b.delta.p5);
        td.dataset.p95 = String(b.delta.p95);
        return td;
      });
      const tr = el('tr', {}, el('td', {}, p.value === null || p.value === undefined ? `${r.seeds} seeds` : fmt(p.value, 2)), el('td', {}, `${p.completed}/${p.runs}${p.failed ? `, ${p.failed} failed` : ''}`), ...cells);
      tr.dataset.value = p.value === null || p.value === undefined ? '' : String(p.value);
      return tr;
    });
    const table = el('table', { id: 'sweep-bands', className: 'whatif-table' }, el('thead', {}, head), el('tbody', {}, ...rows));
    this.result.replaceChildren(
      el('p', { className: 'summary' }, `${r.completed} of ${r.runs} runs done${r.failed ? `, ${r.failed} failed` : ''}: variant − baseline, mean [5 % … 95 %] across seeds. Hover a cell for baseline and variant.`),
      table,
      ...(r.notes?.length ? [el('ul', { className: 'whatif-nochange' }, ...r.notes.map(n => el('li', {}, n)))] : []));
    if (FINISHED.includes(v.status)) this.result.dataset.shown = v.id;
  }
}

/** Signal-plan optimisation: search cycle and splits for chosen intersections; an operator applies the best plans or reverts them. */
export class Optimisations extends Job {
  /** engineer: may run searches; operate: may apply and revert plans; confirm: the console's confirmation dialog. */
  constructor(api, whatif, { engineer, operate, confirm }) {
    super({
      api, whatif, kind: 'optimise', path: '/api/optimisations', title: engineer ? 'Signal plans: search better ones' : 'Plans found by engineers',
      intro: engineer
        ? 'Searches cycle and green splits for the intersections you name under the scenario above\'s demand (its perturbations are left out): Webster\'s settings as the start, the simulator as the judge, the saving checked on three other seeds. An operator can then put the best plans on the live intersections — all or none — and put the old ones back.'
        : 'Plans engineers found for live intersections. Apply puts the best plans on them — all, or none if any was retimed since — and Revert puts back the plans it replaced. Both are audited.',
      runLabel: 'Search plans', readOnly: !engineer,
    });
    this.operate = operate;
    this.confirm = confirm;
    this.fields.append(
      this.field('intersectionIds', 'intersections (ids, space-separated)', '', 'int-d01-0001 int-d01-0002'),
      this.field('maxEvaluations', 'simulations to spend', 60));
    this.form.querySelector('[data-field="intersectionIds"]').setAttribute('list', 'whatif-targets-intersection');
  }

  body() {
    const scenario = { ...this.whatif.spec(), perturbations: [] };
    return {
      name: scenario.name ?? '', scenario,
      intersectionIds: this.value('intersectionIds').split(/[\s,]+/).filter(Boolean),
      maxEvaluations: number(this.value('maxEvaluations')),
    };
  }

  progressText(v) { return v.snapshotAssets ? ` · snapshot of ${v.snapshotAssets.toLocaleString()} assets` : ''; }

  recentText(j) {
    const r = j.result;
    return (r ? ` · ${fmt(r.currentDelaySeconds, 1)} → ${fmt(r.bestDelaySeconds, 1)} s/veh` : '') + (j.plans !== 'none' ? ` · ${j.plans}` : '');
  }

  show(v) {
    if (!FINISHED.includes(v.status)) return;
    const r = v.result;
    if (!r) {
      this.result.replaceChildren(el('p', { className: v.status === 'failed' ? 'error' : 'summary' }, v.status === 'cancelled' ? 'Cancelled: no plans to apply.' : `Failed: ${v.error ?? 'no reason given'}.`));
      this.result.dataset.shown = v.id;
      return;
    }
    const share = Math.round(100 * r.delaySavedShare);
    const summary = el('p', { id: 'optimise-summary', className: 'summary' },
      `Mean delay at these intersections: current ${fmt(r.currentDelaySeconds, 1)} s/veh, Webster's ${fmt(r.websterDelaySeconds, 1)} s, best ${fmt(r.bestDelaySeconds, 1)} s — `,
      el('b', {}, `${fmt(r.delaySavedSeconds, 1)} s saved (${share} %)`),
      `; on three other seeds ${r.checkSeedsDelaySavedSeconds.map(s => signed(s, 1)).join(' / ')} s. Time lost per trip in the area ${fmt(r.currentTimeLossSeconds, 1)} → ${fmt(r.bestTimeLossSeconds, 1)} s. ${r.evaluations} simulations.`);
    const plans = el('table', { id: 'optimise-plans', className: 'whatif-table' },
      el('thead', {}, el('tr', {}, ...['intersection', 'flows N/E/S/W veh/h', 'current', 'best', 'delay s'].map(h => el('th', {}, h)))),
      el('tbody', {}, ...r.plans.map(p => {
        const tr = el('tr', {}, el('td', {}, this.whatif.assetLink(p.intersectionId)), el('td', {}, p.approachFlowVehPerHour.map(f => fmt(f, 0)).join(' / ')),
          el('td', {}, plan(p.current)), el('td', {}, plan(p.best)), el('td', { className: p.bestDelaySeconds < p.currentDelaySeconds ? 'down' : '' }, `${fmt(p.currentDelaySeconds, 1)} → ${fmt(p.bestDelaySeconds, 1)}`));
        tr.dataset.id = p.intersectionId;
        return tr;
      })));
    const state = el('p', { id: 'optimise-state', className: 'summary' }, {
      none: 'The live intersections run their own plans.',
      applied: 'The best plans run on the live intersections.',
      reverted: 'The plans were applied and put back.',
    }[v.plans] ?? v.plans);
    state.dataset.plans = v.plans;
    const actions = el('div', { className: 'row' });
    if (this.operate) {
      const apply = el('button', { type: 'button', id: 'optimise-apply', disabled: v.plans === 'applied' || r.delaySavedSeconds <= 0 }, 'Apply to the live intersections');
      const revert = el('button', { type: 'button', id: 'optimise-revert', className: 'danger', disabled: v.plans !== 'applied' }, 'Revert');
      apply.addEventListener('click', () => this.change(v, 'apply'));
      revert.addEventListener('click', () => this.change(v, 'revert'));
      actions.append(apply, revert);
    } else actions.append(el('span', { className: 'summary' }, 'An operator applies plans to the live intersections.'));
    const history = (v.changes ?? []).map(c => el('li', {}, `${c.action} by ${c.by} at ${time(c.at)}: ${c.intersections.length} intersection(s)`));
    this.result.replaceChildren(summary, plans, state, actions, ...(history.length ? [el('ul', { id: 'optimise-history' }, ...history)] : []),
      ...(r.notes?.length ? [el('ul', { className: 'whatif-nochange' }, ...r.notes.map(n => el('li', {}, n)))] : []));
    this.result.dataset.shown = v.id;
    this.result.dataset.plans = v.plans;
  }

  /**
   * Apply or revert (operators), through the console's one confirmation dialog: all or none — a plan retimed since is
   * the API's 409, shown in the dialog with the intersection it names, and nothing changes.
   */
  async change(v, action) {
    const ids = v.result.plans.map(p => p.intersectionId).join(', ');
    let view = null;
    const done = await this.confirm({
      title: action === 'apply' ? 'Apply the best plans' : 'Revert the plans',
      text: action === 'apply'
        ? `Put the best plans found by "${v.name}" on the live intersections ${ids}? All or none: if any was retimed since the search, nothing changes.`
        : `Put back on ${ids} the plans the apply replaced? All or none: if any was retimed since the apply, nothing changes.`,
      ok: action === 'apply' ? 'Apply' : 'Revert',
      run: async () => { view = await this.api.post(`${this.path}/${encodeURIComponent(v.id)}/${action}`); },
    });
    if (done === null || !view) return;
    this.current = view;
    this.show(view);
    this.loadRecent();
  }
}

/**
 * Polls a job (scenario, sweep, optimisation) until it finishes: each view goes to onView; resolves with the last view,
 * or with null once `wanted()` turns false (a newer follow took over) or a read fails (onError). The timer handle goes
 * to `timer`, so a newer follow can clear it.
 */
export async function pollJob(api, url, { wanted, onView, onError, timer = () => {} }) {
  for (;;) {
    let view;
    try {
      view = await api.get(url);
    } catch (error) {
      if (wanted()) onError(error);
      return null;
    }
    if (!wanted()) return null;
    onView(view);
    if (FINISHED.includes(view.status)) return view;
    await new Promise(resolve => timer(setTimeout(resolve, POLL_MS)));
    if (!wanted()) return null;
  }
}

/** DELETE a job (cancel it), the button disabled meanwhile; a refusal goes to onError. */
export async function cancelJob(api, url, button, onError) {
  button.disabled = true;
  try {
    await api.request('DELETE', url);
  } catch (error) {
    onError(error);
  } finally {
    button.disabled = false;
  }
}

/** Fills a recent-jobs list from `GET url` (its `key` array): name (a button that opens it), status, progress, when, and `extra(job)`. */
export async function loadRecentJobs(api, url, key, list, open, extra) {
  let jobs;
  try {
    jobs = (await api.get(url))[key] ?? [];
  } catch (error) {
    list.replaceChildren(el('li', { className: 'error' }, error.message));
    return;
  }
  list.replaceChildren(...jobs.map(j => {
    const button = el('button', { type: 'button', className: 'link' }, j.name || j.id);
    button.addEventListener('click', () => open(j.id));
    const li = el('li', {}, button, el('span', { className: `whatif-state ${j.status}` }, j.status),
      ` ${j.status === 'running' ? `${Math.round(j.progress * 100)} % ` : ''}${time(j.submittedAt)}${extra(j)}`);
    li.dataset.id = j.id;
    li.dataset.status = j.status;
    return li;
  }));
  if (!jobs.length) list.append(el('li', { className: 'summary' }, 'None yet.'));
}

function plan(p) {
  return `${p.cycleSeconds} s: ${p.phases.map(ph => `${ph.name} ${ph.greenSeconds}`).join(' / ')}`;
}

/** A number as typed, or the text itself when it is not one (the API then names the field). */
export function number(text) {
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
}

/** A figure with fixed decimals in the reader's locale; '–' for none (or a band of no runs yet). */
export const fmt = (v, digits) => typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
/** The same with its sign: + up, − down, ± none. */
export const signed = (v, digits) => typeof v !== 'number' || !Number.isFinite(v) ? '–' : (v > 0 ? '+' : v < 0 ? '−' : '±') + fmt(Math.abs(v), digits);
