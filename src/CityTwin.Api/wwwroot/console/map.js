// The city map: Leaflet on a plain background (or a configured tile server); the streets and the district outlines on
// one canvas under Leaflet's overlays, and every loaded asset on another above them (no DOM marker or Leaflet path per
// asset or street), both drawn from typed arrays at most once per frame, so pans and zooms over 100,000 points stay smooth.
/* global L */

export const STATUS_COLOURS = {
  operational: '#2e9e44', degraded: '#e0a800', faulted: '#d62728', offline: '#555555', maintenance: '#3b7dd8',
};
const STATUSES = Object.keys(STATUS_COLOURS);
const TYPES = ['pole', 'camera', 'intersection', 'link'];
/** A point's bucket: type × status as one small integer (-1: unknown), so a draw needs no string per point. */
const bucketOf = (type, status) => { const t = TYPES.indexOf(type), s = STATUSES.indexOf(status); return t < 0 || s < 0 ? -1 : t * STATUSES.length + s; };
const BUCKETS = TYPES.length * STATUSES.length;
/** Cells of 16 × 16 device pixels: what a redraw of a few changed points clears and redraws. */
const CELL = 16;
/** More dirty cells than this in a frame: redraw everything instead. */
const MAX_DIRTY_CELLS = 400;

/** Web Mercator at zoom 0, in Leaflet's 256-pixel world: project once, then scale and shift per frame. */
function project(lon, lat) {
  const d = Math.PI / 180, max = 85.0511287798;
  const s = Math.sin(Math.max(Math.min(lat, max), -max) * d);
  return [128 + lon * 256 / 360, 128 - 128 * Math.log((1 + s) / (1 - s)) / (2 * Math.PI)];
}

/**
 * The loaded assets: a Map by id for what the console reads (type, status, attributes…), and beside it typed arrays
 * by slot — world x, y (zoom 0, Float64 so zoom 19 stays exact) and the type × status bucket — which is all a draw reads,
 * so a redraw of 100,000 points touches no object. A change that moves a point or adds/removes one asks a full redraw;
 * one that only changes a point's bucket (its colour) marks that point dirty; anything else costs no pixels.
 */
class PointStore {
  constructor() {
    this.byId = new Map();
    this.objs = [];
    this.cap = 1024;
    this.wx = new Float64Array(this.cap); this.wy = new Float64Array(this.cap); this.k = new Int8Array(this.cap);
    this.n = 0;
    this.moved = true; // a full redraw is due
    this.dirty = [];   // slots whose bucket changed since the last draw
    this.changed = false; // something (possibly invisible) changed since the last draw
  }

  get size() { return this.byId.size; }
  get(id) { return this.byId.get(id); }
  has(id) { return this.byId.has(id); }
  values() { return this.byId.values(); }
  clear() { this.byId.clear(); this.objs.length = 0; this.n = 0; this.dirty.length = 0; this.moved = true; }

  grow() {
    this.cap *= 2;
    for (const [name, Type] of [['wx', Float64Array], ['wy', Float64Array], ['k', Int8Array]]) { const a = new Type(this.cap); a.set(this[name]); this[name] = a; }
  }

  /** @returns the asset's object, or null when it is new and has no location. */
  upsert(item) {
    const lon = item.location?.lon, lat = item.location?.lat;
    let a = this.byId.get(item.id);
    if (!a) {
      if (lon === undefined) return null;
      if (this.n === this.cap) this.grow();
      a = { id: item.id, lon, lat, i: this.n++ };
      this.objs[a.i] = a;
      this.byId.set(item.id, a);
      [this.wx[a.i], this.wy[a.i]] = project(lon, lat);
      this.moved = true;
    } else if (lon !== undefined && (lon !== a.lon || lat !== a.lat)) {
      [this.wx[a.i], this.wy[a.i]] = project(lon, lat); a.lon = lon; a.lat = lat;
      this.moved = true;
    }
    if (item.type !== undefined) a.type = item.type;
    if (item.status !== undefined) a.status = item.status;
    const k = bucketOf(a.type, a.status);
    if (k !== this.k[a.i]) { this.k[a.i] = k; this.dirty.push(a.i); }
    if (item.district !== undefined) a.district = item.district;
    if (item.attributes) a.attributes = item.attributes;
    this.changed = true;
    return a;
  }

  delete(id) {
    const a = this.byId.get(id);
    if (!a) return false;
    this.byId.delete(id);
    const last = --this.n, b = this.objs[last];
    if (b !== a) { this.objs[a.i] = b; this.wx[a.i] = this.wx[last]; this.wy[a.i] = this.wy[last]; this.k[a.i] = this.k[last]; b.i = a.i; }
    this.objs.length = last;
    this.moved = true;
    return true;
  }
}

/**
 * One shape as pixels: the shape drawn once on a small canvas, its pixels at least half opaque kept (as opaque), so
 * a draw copies a few Uint32s per point instead of asking the canvas to fill a path.
 */
function stamp(type, colour, r, ratio) {
  const size = Math.ceil((2 * r + 8) * ratio) | 1, c = size >> 1;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.setTransform(ratio, 0, 0, ratio, c + 0.5, c + 0.5);
  ctx.fillStyle = colour; ctx.strokeStyle = '#000a'; ctx.lineWidth = 1;
  ctx.beginPath(); shape(ctx, type, 0, 0, r); ctx.fill();
  if (type === 'link' || type === 'intersection') ctx.stroke();
  const data = new Uint32Array(ctx.getImageData(0, 0, size, size).data.buffer);
  const dx = [], dy = [], colours = [];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const v = data[y * size + x];
    if ((v >>> 24) >= 128) { dx.push(x - c); dy.push(y - c); colours.push((v | 0xff000000) >>> 0); }
  }
  const reach = dx.reduce((m, v, i) => Math.max(m, Math.abs(v), Math.abs(dy[i])), 0);
  return { dx: Int16Array.from(dx), dy: Int16Array.from(dy), colours: Uint32Array.from(colours), offsets: new Int32Array(dx.length), reach };
}

/** The assets as points: one canvas over the map, its pixels written from typed arrays; at most one draw per frame. */
const AssetCanvas = L.Layer.extend({
  initialize(store) {
    this.store = store; this.drawn = 0; this.frame = 0; this.lastMs = 0; this.highlight = new Set(); this.selected = null; this.visible = true; this.log = [];
    this.markerScale = 1;
    this.viewKey = '';
    this.counts = new Int32Array(BUCKETS + 1);
    this.order = new Int32Array(1024); // the visible slots of the last full draw, in draw order (by bucket)
    this.visibleCount = 0;
    this.stamps = null; this.stampKey = '';
    this.overlay = false; // rings drawn on top at the last draw
  },

  onAdd(map) {
    this.canvas = L.DomUtil.create('canvas', 'asset-canvas');
    Object.assign(this.canvas.style, { position: 'absolute', left: 0, top: 0, zIndex: 450, pointerEvents: 'none' });
    map.getContainer().appendChild(this.canvas);
    map.on('move zoom resize viewreset', this.schedule, this);
    this.resize();
    this.schedule();
  },

  onRemove(map) {
    map.off('move zoom resize viewreset', this.schedule, this);
    this.canvas.remove();
  },

  resize() {
    const size = this._map.getSize(), ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(size.x * ratio) || this.canvas.height !== Math.round(size.y * ratio)) {
      this.canvas.width = Math.round(size.x * ratio); this.canvas.height = Math.round(size.y * ratio);
      this.canvas.style.width = `${size.x}px`; this.canvas.style.height = `${size.y}px`;
    }
    this.ratio = ratio;
  },

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  },

  /** The container point's corner in zoom-0 world pixels, and the scale to the current zoom. */
  view() {
    const map = this._map, zoom = map.getZoom(), scale = 2 ** zoom;
    const origin = map.project(map.containerPointToLatLng([0, 0]), zoom);
    return { scale, ox: origin.x, oy: origin.y, size: map.getSize() };
  },

  radius() {
    const zoom = this._map.getZoom();
    return (zoom >= 17 ? 5 : zoom >= 16 ? 4 : zoom >= 15 ? 3 : 2) * this.markerScale;
  },

  /** A frame's draw: everything when the view, the points or the rings changed; else only the cells of changed colours. */
  draw() {
    const started = performance.now();
    this.resize();
    const store = this.store, v = this.view();
    const key = `${v.scale},${v.ox},${v.oy},${this.canvas.width},${this.canvas.height},${this.visible},${this.markerScale}`;
    if (key !== this.viewKey || store.moved || this.overlay || this.highlight.size || this.selected || store.dirty.length > MAX_DIRTY_CELLS / 4) {
      this.viewKey = key;
      this.full(v);
    } else if (store.dirty.length) {
      this.partial(v);
    } else if (!store.changed) {
      return; // nothing to show
    }
    store.moved = false; store.changed = false; store.dirty.length = 0;
    this.report(started);
  },

  ensureImage(ctx) {
    const w = this.canvas.width, h = this.canvas.height;
    if (!this.image || this.image.width !== w || this.image.height !== h) {
      this.image = ctx.createImageData(w, h);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.stampKey = '';
      this.cols = Math.ceil(w / CELL); this.rows = Math.ceil(h / CELL);
      this.cells = new Uint8Array(this.cols * this.rows);
    }
    const r = this.radius(), stampKey = `${r},${this.ratio},${w}`;
    if (stampKey !== this.stampKey) {
      if (!this.stampCache || this.stampCache.key !== `${r},${this.ratio}`) {
        this.stampCache = { key: `${r},${this.ratio}`, stamps: [] };
        for (let t = 0; t < TYPES.length; t++) for (let s = 0; s < STATUSES.length; s++) this.stampCache.stamps.push(stamp(TYPES[t], STATUS_COLOURS[STATUSES[s]], r, this.ratio));
      }
      this.stamps = this.stampCache.stamps;
      for (const st of this.stamps) for (let j = 0; j < st.dx.length; j++) st.offsets[j] = st.dy[j] * w + st.dx[j];
      this.stampKey = stampKey;
    }
    return r;
  },

  /** Every visible point, bucket by bucket (poles under cameras under intersections under links), into the pixels. */
  full({ scale, ox, oy }) {
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (!this.visible) { ctx.clearRect(0, 0, this.canvas.width, this.canvas.height); this.drawn = 0; this.visibleCount = 0; this.overlay = false; return; }
    const r = this.ensureImage(ctx);
    const { wx, wy, k, n } = this.store, ratio = this.ratio, w = this.canvas.width, h = this.canvas.height;
    const sc = scale * ratio, bx = ox * ratio, by = oy * ratio, margin = Math.ceil((r + 4) * ratio);
    // Counting sort of the visible slots by bucket: one pass to count, one to place.
    const counts = this.counts;
    counts.fill(0);
    if (this.order.length < n) this.order = new Int32Array(Math.max(n, this.order.length * 2));
    if (!this.xs || this.xs.length < n) { this.xs = new Int32Array(this.order.length); this.ys = new Int32Array(this.order.length); }
    const xs = this.xs, ys = this.ys; // device pixel per slot, valid for the visible ones
    let visible = 0;
    for (let i = 0; i < n; i++) {
      const b = k[i];
      if (b < 0) continue;
      const x = Math.round(wx[i] * sc - bx), y = Math.round(wy[i] * sc - by);
      if (x < -margin || y < -margin || x >= w + margin || y >= h + margin) { xs[i] = -0x40000000; continue; }
      xs[i] = x; ys[i] = y;
      counts[b + 1]++;
      visible++;
    }
    for (let b = 1; b <= BUCKETS; b++) counts[b] += counts[b - 1];
    const order = this.order;
    for (let i = 0; i < n; i++) { if (k[i] >= 0 && xs[i] !== -0x40000000) order[counts[k[i]]++] = i; }
    this.visibleCount = visible;
    const px = this.pixels;
    px.fill(0);
    for (let j = 0; j < visible; j++) { const i = order[j]; this.put(this.stamps[k[i]], xs[i], ys[i], w, h, px); }
    ctx.putImageData(this.image, 0, 0);
    this.drawn = visible;
    this.rings(ctx, { scale, ox, oy }, r);
  },

  /** Only the cells around points whose colour changed: cleared, and every point touching them stamped again in order. */
  partial() {
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (!this.visible || !this.pixels) return;
    const { k, dirty } = this.store, xs = this.xs, ys = this.ys, w = this.canvas.width, h = this.canvas.height;
    const cells = this.cells, cols = this.cols, rows = this.rows, px = this.pixels;
    const marked = [];
    const mark = (x, y, reach) => {
      const c0 = Math.max(0, Math.floor((x - reach) / CELL)), c1 = Math.min(cols - 1, Math.floor((x + reach) / CELL));
      const r0 = Math.max(0, Math.floor((y - reach) / CELL)), r1 = Math.min(rows - 1, Math.floor((y + reach) / CELL));
      for (let rr = r0; rr <= r1; rr++) for (let cc = c0; cc <= c1; cc++) { const c = rr * cols + cc; if (!cells[c]) { cells[c] = 1; marked.push(c); } }
    };
    const reach = this.stamps.reduce((m, s) => Math.max(m, s.reach), 0);
    for (const i of dirty) { if (i < xs.length && xs[i] !== -0x40000000 && i < this.store.n) mark(xs[i], ys[i], reach); }
    if (!marked.length) return;
    if (marked.length > MAX_DIRTY_CELLS) { for (const c of marked) cells[c] = 0; this.viewKey = ''; this.full(this.view()); return; }
    for (const c of marked) {
      const x0 = (c % cols) * CELL, y0 = Math.floor(c / cols) * CELL, x1 = Math.min(w, x0 + CELL), y1 = Math.min(h, y0 + CELL);
      for (let y = y0; y < y1; y++) px.fill(0, y * w + x0, y * w + x1);
    }
    // Every visible point whose stamp reaches a marked cell, in the last full draw's order, written inside marked cells only.
    const order = this.order;
    for (let j = 0; j < this.visibleCount; j++) {
      const i = order[j], x = xs[i], y = ys[i];
      const c0 = Math.max(0, Math.floor((x - reach) / CELL)), c1 = Math.min(cols - 1, Math.floor((x + reach) / CELL));
      const r0 = Math.max(0, Math.floor((y - reach) / CELL)), r1 = Math.min(rows - 1, Math.floor((y + reach) / CELL));
      let touches = false;
      for (let rr = r0; rr <= r1 && !touches; rr++) for (let cc = c0; cc <= c1; cc++) if (cells[rr * cols + cc]) { touches = true; break; }
      if (!touches || k[i] < 0) continue;
      const st = this.stamps[k[i]], dx = st.dx, dy = st.dy, colours = st.colours;
      for (let m = 0; m < dx.length; m++) {
        const xx = x + dx[m], yy = y + dy[m];
        if (xx < 0 || yy < 0 || xx >= w || yy >= h || !cells[Math.floor(yy / CELL) * cols + Math.floor(xx / CELL)]) continue;
        px[yy * w + xx] = colours[m];
      }
    }
    for (const c of marked) {
      cells[c] = 0;
      const x0 = (c % cols) * CELL, y0 = Math.floor(c / cols) * CELL;
      ctx.putImageData(this.image, 0, 0, x0, y0, Math.min(CELL, w - x0), Math.min(CELL, h - y0));
    }
  },

  /** One stamp at device pixel (x, y): unchecked when it fits the canvas, clipped pixel by pixel at the edges. */
  put(st, x, y, w, h, px) {
    const reach = st.reach, offsets = st.offsets, colours = st.colours;
    if (x >= reach && y >= reach && x < w - reach && y < h - reach) {
      const base = y * w + x;
      for (let m = 0; m < offsets.length; m++) px[base + offsets[m]] = colours[m];
      return;
    }
    const dx = st.dx, dy = st.dy;
    for (let m = 0; m < dx.length; m++) {
      const xx = x + dx[m], yy = y + dy[m];
      if (xx >= 0 && yy >= 0 && xx < w && yy < h) px[yy * w + xx] = colours[m];
    }
  },

  /** Highlighted results and the selected asset: rings on top, with the canvas's own paths (few). */
  rings(ctx, { scale, ox, oy }, r) {
    const ratio = this.ratio;
    this.overlay = false;
    if (!this.highlight.size && !this.selected) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#c000c0';
    ctx.beginPath();
    for (const id of this.highlight) {
      const a = this.store.get(id);
      if (!a) continue;
      const x = this.store.wx[a.i] * scale - ox, y = this.store.wy[a.i] * scale - oy;
      ctx.moveTo(x + r + 4, y); ctx.arc(x, y, r + 4, 0, 2 * Math.PI);
    }
    ctx.stroke();
    const sel = this.selected && this.store.get(this.selected);
    if (sel) {
      const x = this.store.wx[sel.i] * scale - ox, y = this.store.wy[sel.i] * scale - oy;
      ctx.strokeStyle = '#000'; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.arc(x, y, r + 7, 0, 2 * Math.PI); ctx.stroke();
    }
    this.overlay = true;
  },

  report(started) {
    this.lastMs = performance.now() - started;
    // The last draws as [end (performance.now()), points drawn, ms] triples: what the benchmarks and tests read.
    if (this.log.length >= 30000) this.log.splice(0, 15000);
    this.log.push(started + this.lastMs, this.drawn, this.lastMs);
    const container = this._map.getContainer(), drawn = String(this.drawn);
    if (container.dataset.drawn !== drawn) container.dataset.drawn = drawn;
    this.fire('drawn', { drawn: this.drawn, ms: this.lastMs });
  },

  /** The asset nearest a container point, within a few pixels. */
  hit(point) {
    const { scale, ox, oy } = this.view();
    const { wx, wy, n, objs } = this.store;
    let best = null, bestD = 100 * this.markerScale * this.markerScale; // 10 px squared
    for (let i = 0; i < n; i++) {
      const dx = wx[i] * scale - ox - point.x, dy = wy[i] * scale - oy - point.y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = objs[i]; }
    }
    return best;
  },
});

/**
 * The streets and the district outlines: one canvas in a pane of its own (above tiles, under Leaflet's overlays: a
 * selected asset's lines, the what-if marks), drawn from world coordinates projected once, like the points; and the
 * districts' labels, plain elements above the points placed with a transform. As Leaflet paths and permanent tooltips
 * they cost much of every pan and zoom: Leaflet re-projected, clipped and redrew the streets' 12,000 segments on each
 * move, and each tooltip read its size back when placed (8,000 forced layouts in 100 moves). The labels stay elements:
 * their text changes with every stats refresh (each second under a feed), which must not redraw a full-screen canvas.
 */
const BaseLayer = L.Layer.extend({
  initialize() {
    this.streets = { xy: new Float64Array(0), starts: new Int32Array(1) }; // polylines: x, y pairs (zoom-0 world pixels), where each begins
    this.districts = []; // { x0, y0, x1, y1 (world), colour, label (its element) }
    this.frame = 0; this.viewKey = ''; this.labelKey = ''; this.lastMs = 0;
  },

  onAdd(map) {
    const pane = map.getPane('base') ?? map.createPane('base');
    pane.style.zIndex = 350; pane.style.pointerEvents = 'none';
    this.canvas = L.DomUtil.create('canvas', 'base-canvas', pane);
    // The labels above the points' canvas (a pane's are under it, and a label crossed by points cannot be read),
    // in a box that follows the map pane: its corner is the layer origin, so a label's place is its layer point.
    this.labels = L.DomUtil.create('div', 'district-labels', map.getContainer());
    Object.assign(this.labels.style, { position: 'absolute', left: 0, top: 0, zIndex: 460, pointerEvents: 'none' });
    map.on('move zoom resize viewreset', this.schedule, this);
    this.schedule();
  },

  onRemove(map) {
    map.off('move zoom resize viewreset', this.schedule, this);
    this.canvas.remove();
    this.labels.remove();
  },

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  },

  /** The outlines or the streets changed (not the view): draw again even where the view did not move. */
  invalidate() { this.viewKey = ''; this.labelKey = ''; this.schedule(); },

  /** The districts: each one's outline (world coordinates), colour and label text; labels made or dropped as needed. */
  setDistricts(list) {
    const pane = this.labels, old = this.districts;
    let changed = old.length !== list.length;
    this.districts = list.map((d, i) => {
      const was = old[i], label = was?.label ?? L.DomUtil.create('div', 'district-label', pane);
      if (label.textContent !== d.text) label.textContent = d.text;
      changed ||= was.x0 !== d.x0 || was.y0 !== d.y0 || was.x1 !== d.x1 || was.y1 !== d.y1 || was.colour !== d.colour;
      return { x0: d.x0, y0: d.y0, x1: d.x1, y1: d.y1, colour: d.colour, label };
    });
    for (const d of old.slice(list.length)) d.label.remove();
    if (changed) this.invalidate();
  },

  draw() {
    const started = performance.now(), map = this._map, size = map.getSize(), ratio = window.devicePixelRatio || 1;
    const zoom = map.getZoom(), scale = 2 ** zoom, po = map.getPixelOrigin();
    // Labels in layer coordinates: their box follows the map pane, so only a zoom or a view reset places them again.
    L.DomUtil.setPosition(this.labels, map.layerPointToContainerPoint([0, 0]));
    const labelKey = `${scale},${po.x},${po.y}`;
    if (labelKey !== this.labelKey) {
      this.labelKey = labelKey;
      for (const d of this.districts) d.label.style.transform = `translate(${(d.x0 + d.x1) / 2 * scale - po.x}px,${d.y0 * scale - po.y}px) translate(-50%,-50%)`;
    }
    // The pane moves with the map during a pan: the canvas is pinned to the container's corner (a style write, no read).
    L.DomUtil.setPosition(this.canvas, map.containerPointToLayerPoint([0, 0]));
    const origin = map.project(map.containerPointToLatLng([0, 0]), zoom);
    const key = `${scale},${origin.x},${origin.y},${size.x},${size.y},${ratio}`;
    if (key === this.viewKey) return;
    this.viewKey = key;
    const canvas = this.canvas, w = Math.round(size.x * ratio), h = Math.round(size.y * ratio);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w; canvas.height = h;
      canvas.style.width = `${size.x}px`; canvas.style.height = `${size.y}px`;
    }
    const ctx = canvas.getContext('2d'), ox = origin.x, oy = origin.y, W = size.x, H = size.y;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    // Streets: one path of polylines, not of segments (Skia strokes the 100,000-asset city's 12,000 streets as separate
    // round-capped subpaths over 20 times slower than as its 150 polylines), leaving out the stretches that cannot show.
    const { xy, starts } = this.streets;
    if (xy.length) {
      ctx.beginPath();
      for (let c = 0; c + 1 < starts.length; c++) {
        let px = xy[starts[c]] * scale - ox, py = xy[starts[c] + 1] * scale - oy, down = false;
        for (let i = starts[c] + 2; i < starts[c + 1]; i += 2) {
          const x = xy[i] * scale - ox, y = xy[i + 1] * scale - oy;
          if ((px < -4 && x < -4) || (py < -4 && y < -4) || (px > W + 4 && x > W + 4) || (py > H + 4 && y > H + 4)) down = false;
          else { if (!down) { ctx.moveTo(px, py); down = true; } ctx.lineTo(x, y); }
          px = x; py = y;
        }
      }
      ctx.strokeStyle = '#c5ccd6'; ctx.lineWidth = 3;
      ctx.stroke();
    }
    // District outlines: a faint fill, a dashed border (red when too much of the district is offline).
    ctx.lineWidth = 1.5; ctx.setLineDash([6, 4]);
    for (const d of this.districts) {
      const x = d.x0 * scale - ox, y = d.y0 * scale - oy, dw = (d.x1 - d.x0) * scale, dh = (d.y1 - d.y0) * scale;
      if (x > W + 2 || y > H + 2 || x + dw < -2 || y + dh < -2) continue;
      ctx.globalAlpha = 0.03; ctx.fillStyle = d.colour; ctx.fillRect(x, y, dw, dh);
      ctx.globalAlpha = 1; ctx.strokeStyle = d.colour; ctx.strokeRect(x, y, dw, dh);
    }
    ctx.setLineDash([]);
    this.lastMs = performance.now() - started;
  },
});

/**
 * Segments between points joined into polylines: walks from a point along unused segments until none is left there
 * (odd-degree points first, where a walk must start or end), so a grid of n segments becomes about as many lines as it
 * has edge points, not n. @param {Int32Array} ends the segments' point indices, two a segment
 * @param {Float64Array} points x, y per point @returns {{ xy: Float64Array, starts: Int32Array }} the lines' points, where each begins
 */
function chains(ends, points) {
  const count = points.length / 2, first = new Int32Array(count + 1); // point p's segments: edges[first[p]] to edges[first[p + 1] - 1]
  for (const p of ends) first[p + 1]++;
  for (let p = 0; p < count; p++) first[p + 1] += first[p];
  const edges = new Int32Array(ends.length), fill = first.slice(0, count);
  for (let i = 0; i < ends.length; i++) edges[fill[ends[i]]++] = i >> 1;
  const used = new Uint8Array(ends.length / 2), next = first.slice(0, count); // next: the point's first edge not yet tried
  const xy = new Float64Array(ends.length * 2), starts = [0];
  let n = 0;
  const walk = from => {
    for (let p = from; ;) {
      while (next[p] < first[p + 1] && used[edges[next[p]]]) next[p]++;
      if (next[p] === first[p + 1]) break;
      const i = edges[next[p]++];
      if (n === starts.at(-1)) { xy[n++] = points[2 * p]; xy[n++] = points[2 * p + 1]; }
      used[i] = 1;
      p = ends[2 * i] === p ? ends[2 * i + 1] : ends[2 * i];
      xy[n++] = points[2 * p]; xy[n++] = points[2 * p + 1];
    }
    if (n > starts.at(-1)) starts.push(n);
  };
  for (let p = 0; p < count; p++) if ((first[p + 1] - first[p]) % 2) walk(p);
  for (let p = 0; p < count; p++) while (next[p] < first[p + 1]) walk(p);
  return { xy: xy.slice(0, n), starts: Int32Array.from(starts) };
}

function shape(ctx, type, x, y, r) {
  switch (type) {
    case 'camera': ctx.moveTo(x, y - r - 1); ctx.lineTo(x + r + 1, y + r); ctx.lineTo(x - r - 1, y + r); ctx.closePath(); break;
    case 'intersection': ctx.rect(x - r - 1, y - r - 1, 2 * r + 2, 2 * r + 2); break;
    case 'link': ctx.moveTo(x, y - r - 3); ctx.lineTo(x + r + 3, y); ctx.lineTo(x, y + r + 3); ctx.lineTo(x - r - 3, y); ctx.closePath(); break;
    default: if (r <= 2) ctx.rect(x - r, y - r, 2 * r, 2 * r); else { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); }
  }
}

export class CityMap {
  /** @param {HTMLElement} element @param {{tileUrl?: string, tileAttribution?: string}} config */
  constructor(element, config) {
    this.store = new PointStore(); // id → { id, type, status, district, lon, lat, attributes, i (its slot) }
    this.map = L.map(element, { preferCanvas: true, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, minZoom: 3, maxZoom: 19, zoomSnap: 0.5 });
    this.renderer = L.canvas({ padding: 0.2 });
    if (config?.tileUrl) L.tileLayer(config.tileUrl, { attribution: config.tileAttribution ?? '', maxZoom: 19 }).addTo(this.map);
    this.map.attributionControl.setPrefix(false);
    this.base = new BaseLayer().addTo(this.map); // the streets, the district outlines and labels
    this.streets = 0;
    this.aggregateLayer = L.layerGroup().addTo(this.map);
    this.overlayLayer = L.layerGroup().addTo(this.map); // lines to a selected asset's neighbours / dependents
    this.points = new AssetCanvas(this.store).addTo(this.map);
    this.districts = [];
    this.map.setView([50.85, 4.35], 13);
  }

  /**
   * The streets: one segment per pair of neighbouring intersections (GeoJSON features of the intersections, with their
   * dependencies), projected once, drawn on the base canvas under everything else.
   */
  setStreets(features) {
    const index = new Map(features.map((f, i) => [f.id, i])), points = new Float64Array(2 * features.length);
    features.forEach((f, i) => { [points[2 * i], points[2 * i + 1]] = project(...f.geometry.coordinates); });
    const seen = new Set(), ends = [];
    for (const f of features) {
      for (const n of f.properties?.dependencies?.neighbours ?? []) {
        const key = f.id < n.intersectionId ? `${f.id} ${n.intersectionId}` : `${n.intersectionId} ${f.id}`;
        if (!index.has(n.intersectionId) || seen.has(key)) continue;
        seen.add(key);
        ends.push(index.get(f.id), index.get(n.intersectionId));
      }
    }
    this.base.streets = chains(Int32Array.from(ends), points);
    this.base.invalidate();
    this.streets = ends.length / 2;
  }

  /** Add or update assets from a query page or the feed: typed arrays updated, at most one draw per frame. */
  upsert(item) {
    const a = this.store.upsert(item);
    if (a) this.points.schedule();
    return a;
  }

  remove(id) { if (this.store.delete(id)) this.points.schedule(); }

  /** Forget every loaded asset (before reading the state again). */
  clear() { this.store.clear(); this.points.schedule(); }

  /** Larger markers (large-type mode, for a wall screen). */
  setMarkerScale(scale) { this.points.markerScale = scale; this.points.schedule(); }

  /**
   * District outlines with their KPIs, from /api/stats; fit the view to them the first time. This runs on every stats
   * refresh (each second under a busy feed): the outlines are drawn again only when one moved or changed colour, and
   * a label's text is written only where it reads differently.
   */
  setDistricts(districts, fit) {
    this.districts = districts.filter(d => d.bbox);
    this.base.setDistricts(this.districts.map(d => {
      const [minLon, minLat, maxLon, maxLat] = d.bbox, offline = d.offlineRatio ?? 0;
      const [x0, y1] = project(minLon, minLat), [x1, y0] = project(maxLon, maxLat);
      return { x0, y0, x1, y1, colour: offline > 0.05 ? '#d62728' : '#1c2330', text: `${d.id} · ${(offline * 100).toFixed(1)}% offline · ${d.powerDrawKw?.toFixed(0)} kW` };
    }));
    if (fit && this.districts.length) this.map.fitBounds(this.cityBounds(), { padding: [20, 20] });
    this.refreshMode();
  }

  cityBounds() {
    const b = this.districts.map(d => d.bbox);
    return [[Math.min(...b.map(x => x[1])), Math.min(...b.map(x => x[0]))], [Math.max(...b.map(x => x[3])), Math.max(...b.map(x => x[2]))]];
  }

  /** The viewport as minLon,minLat,maxLon,maxLat, padded by a fraction of its size. */
  viewBox(pad = 0) {
    const b = this.map.getBounds().pad(pad);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(v => +v.toFixed(6));
  }

  static areaKm2([minLon, minLat, maxLon, maxLat]) {
    const km = 111.32, midLat = (minLat + maxLat) / 2 * Math.PI / 180;
    return (maxLon - minLon) * km * Math.cos(midLat) * (maxLat - minLat) * km;
  }

  /** Zoomed out far (the viewport wider than the API's box limit, or zoom < 12), districts are drawn as aggregates. */
  get aggregated() { return this.map.getZoom() < 12 || CityMap.areaKm2(this.viewBox()) > 400; }

  refreshMode() {
    const aggregated = this.aggregated, container = this.map.getContainer(), mode = aggregated ? 'districts' : 'points';
    if (container.dataset.mode !== mode) container.dataset.mode = mode;
    if (this.points.visible !== !aggregated) { this.points.visible = !aggregated; this.points.schedule(); }
    // The aggregates are rebuilt only when they would look different.
    const key = aggregated ? this.districts.map(d => `${d.id}:${d.total}:${d.offlineRatio}`).join(';') : '';
    if (key === this.aggregateKey) return;
    this.aggregateKey = key;
    this.aggregateLayer.clearLayers();
    if (!aggregated) return;
    for (const d of this.districts) {
      const [minLon, minLat, maxLon, maxLat] = d.bbox;
      const offline = d.offlineRatio ?? 0;
      const colour = offline > 0.2 ? '#d62728' : offline > 0.02 ? '#e0a800' : '#2e9e44';
      L.circleMarker([(minLat + maxLat) / 2, (minLon + maxLon) / 2], {
        renderer: this.renderer, radius: 10 + Math.sqrt(d.total) / 6, color: '#1c2330', weight: 1, fillColor: colour, fillOpacity: 0.8,
      }).bindTooltip(`${d.id}: ${d.total.toLocaleString()} assets, ${(offline * 100).toFixed(1)}% offline`, { permanent: true, direction: 'top' })
        .addTo(this.aggregateLayer);
    }
  }

  /** Lines from an asset to others (an intersection's neighbours, a link's dependents). */
  drawLines(from, toIds, colour) {
    this.overlayLayer.clearLayers();
    const a = this.store.get(from);
    if (!a) return;
    for (const id of toIds) {
      const b = this.store.get(id);
      if (b) L.polyline([[a.lat, a.lon], [b.lat, b.lon]], { renderer: this.renderer, color: colour, weight: 2, opacity: 0.7, interactive: false }).addTo(this.overlayLayer);
    }
  }

  highlight(ids) { this.points.highlight = new Set(ids); this.points.schedule(); }
  select(id) { this.points.selected = id; this.points.schedule(); }

  fitTo(ids) {
    const pts = ids.map(id => this.store.get(id)).filter(Boolean).map(a => [a.lat, a.lon]);
    if (pts.length === 1) this.map.setView(pts[0], Math.max(this.map.getZoom(), 16));
    else if (pts.length > 1) this.map.fitBounds(pts, { padding: [30, 30], maxZoom: 17 });
  }
}
