// The KPI bar: the city's (or one district's) figures as numbers, and beside each a sparkline of the last hour —
// read at once from GET /api/stats/history (the API samples every 10 s and keeps the hour), then followed by every
// stats refresh. uPlot draws the sparklines (vendored).
/* global uPlot */
import { el, SEVERITIES } from './alarms.js';

const HOUR = 3600;
/** The KPIs with a sparkline: [key in the stats, label, how the number reads]. */
const CHARTED = [
  ['powerDrawKw', 'power', v => `${v.toFixed(0)} kW`],
  ['congestionIndex', 'congestion', v => v.toFixed(2)],
  ['offlineRatio', 'offline', v => `${(v * 100).toFixed(1)}%`],
  ['camerasWithoutFeed', 'cameras w/o feed', v => String(v)],
  ['linksDown', 'links down', v => String(v)],
];

export class KpiBar {
  /** @param {HTMLElement} element @param {HTMLSelectElement} picker @param {{ api, onScope(district) }} options */
  constructor(element, picker, options) {
    this.element = element;
    this.picker = picker;
    this.options = options;
    this.district = null; // null: the city
    this.points = [];     // [{ at (s), powerDrawKw, … }], oldest first
    this.charts = new Map();
    this.loads = 0;
    this.stats = null;
    picker.addEventListener('change', () => this.setDistrict(picker.value || null));
  }

  /** The city or one district: reads that history and shows its numbers. */
  async setDistrict(district) {
    this.district = district;
    if (this.picker.value !== (district ?? '')) this.picker.value = district ?? '';
    this.options.onScope?.(district);
    await this.loadHistory();
  }

  async loadHistory() {
    const district = this.district;
    const history = await this.options.api.get(`/api/stats/history${district ? `?district=${encodeURIComponent(district)}` : ''}`);
    if (district !== this.district) return; // switched meanwhile
    this.points = history.points.map(p => ({ ...p, at: Date.parse(p.at) / 1000 }));
    this.loads++;
    if (this.stats) this.show(this.stats); else this.render();
  }

  /** A stats answer (/api/stats): the numbers, and a live point at the end of each sparkline. */
  show(stats) {
    this.stats = stats;
    const known = new Set(stats.districts.map(d => d.id));
    const options = ['', ...known];
    if ([...this.picker.options].map(o => o.value).join() !== options.join()) {
      this.picker.replaceChildren(...options.map(id => el('option', { value: id }, id || 'City')));
      this.picker.value = this.district ?? '';
    }
    const now = Date.now() / 1000;
    const current = this.current();
    if (current) {
      const last = this.points.at(-1);
      // A live point: replaces the last one when it is newer than 10 s (the server samples that often).
      const point = { at: now, ...current };
      if (last && now - last.at < 10 && last.live) this.points[this.points.length - 1] = point; else this.points.push(point);
      point.live = true;
      while (this.points.length && this.points[0].at < now - HOUR) this.points.shift();
    }
    this.render();
  }

  /** The shown figures now: the city's totals, or the picked district's report. */
  current() {
    const stats = this.stats;
    if (!stats) return null;
    if (!this.district) return stats.city;
    const d = stats.districts.find(x => x.id === this.district);
    return d ? { assets: d.total, powerDrawKw: d.powerDrawKw, congestionIndex: d.congestionIndex, offlineRatio: d.offlineRatio, camerasWithoutFeed: d.camerasWithoutFeed, linksDown: d.linksDown } : null;
  }

  render() {
    const current = this.current() ?? this.points.at(-1);
    if (!current) return;
    if (!this.element.dataset.built) {
      this.element.dataset.built = '1';
      const kpi = (key, title, ...children) => { const e = el('span', { className: 'kpi', title }, ...children); e.dataset.kpi = key; return e; };
      this.element.replaceChildren(
        kpi('assets', '', 'assets ', el('b', {})),
        ...CHARTED.map(([key, label]) => kpi(key, `${label}: the last hour`, `${label} `, el('b', {}), el('span', { className: 'spark' }))),
        kpi('alarms', 'critical/major/minor/warning', 'alarms ', el('b', {})),
      );
    }
    const set = (key, text) => { const b = this.element.querySelector(`[data-kpi="${key}"] b`); if (b.textContent !== text) b.textContent = text; };
    set('assets', (current.assets ?? 0).toLocaleString());
    const alarms = this.stats?.city.activeAlarms;
    set('alarms', SEVERITIES.map(s => alarms?.[s] ?? 0).join('/'));
    const xs = this.points.map(p => p.at);
    for (const [key, , format] of CHARTED) {
      set(key, format(current[key] ?? 0));
      const ys = this.points.map(p => p[key] ?? 0);
      const host = this.element.querySelector(`[data-kpi="${key}"] .spark`);
      host.dataset.points = String(ys.length);
      let chart = this.charts.get(key);
      if (typeof uPlot === 'undefined') continue;
      if (!chart) {
        const large = document.body.classList.contains('large');
        chart = new uPlot({
          width: large ? 120 : 80, height: large ? 30 : 20, cursor: { show: false }, legend: { show: false }, select: { show: false },
          axes: [{ show: false }, { show: false }], padding: [2, 1, 2, 1],
          scales: { x: { time: false }, y: { range: (u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) } },
          series: [{}, { stroke: '#9cd1ff', width: 1.5, fill: '#9cd1ff33', points: { show: false } }],
        }, [xs, ys], host);
        this.charts.set(key, chart);
      } else {
        chart.setData([xs, ys]);
      }
    }
  }

  /** Large type: the sparklines at their new size. */
  resize(large) {
    for (const chart of this.charts.values()) chart.setSize({ width: large ? 120 : 80, height: large ? 30 : 20 });
  }
}
