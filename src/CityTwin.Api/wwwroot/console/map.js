// The city map: Leaflet on a plain background (or a configured tile server), district outlines from their bounds,
// and every loaded asset drawn on one canvas (not one DOM marker per asset), so 100,000 points stay smooth.
/* global L */

export const STATUS_COLOURS = {
  operational: '#2e9e44', degraded: '#e0a800', faulted: '#d62728', offline: '#555555', maintenance: '#3b7dd8',
};
const STATUSES = Object.keys(STATUS_COLOURS);
const TYPES = ['pole', 'camera', 'intersection', 'link'];
/** A point's bucket: type × status as one small integer (-1: unknown), so a draw needs no string per point. */
const bucketOf = (type, status) => { const t = TYPES.indexOf(type), s = STATUSES.indexOf(status); return t < 0 || s < 0 ? -1 : t * STATUSES.length + s; };
const BUCKETS = TYPES.length * STATUSES.length;
const CHUNK = 256;
/** The status colours as canvas pixels (RGBA bytes, little-endian Uint32), for the tiny poles written straight into pixels. */
const PIXELS = STATUSES.map(s => { const v = parseInt(STATUS_COLOURS[s].slice(1), 16); return (0xff000000 | (v & 0xff) << 16 | (v & 0xff00) | (v >> 16 & 0xff)) >>> 0; });

/** Web Mercator at zoom 0, in Leaflet's 256-pixel world: project once, then scale and shift per frame. */
function project(lon, lat) {
  const d = Math.PI / 180, max = 85.0511287798;
  const s = Math.sin(Math.max(Math.min(lat, max), -max) * d);
  return [128 + lon * 256 / 360, 128 - 128 * Math.log((1 + s) / (1 - s)) / (2 * Math.PI)];
}

/** The assets as points: a canvas over the map, redrawn on every move (batched by colour and shape). */
const AssetCanvas = L.Layer.extend({
  initialize(store) {
    this.store = store; this.drawn = 0; this.frame = 0; this.lastMs = 0; this.highlight = new Set(); this.selected = null; this.visible = true; this.log = [];
    // Per bucket, the visible points' x, y, reused from draw to draw (grown, never shrunk): no allocation per point.
    this.xy = Array.from({ length: BUCKETS }, () => new Float32Array(256));
    this.counts = new Int32Array(BUCKETS);
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

  draw() {
    const started = performance.now();
    this.resize();
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    const { scale, ox, oy, size } = this.view();
    ctx.clearRect(0, 0, size.x, size.y);
    if (!this.visible) { this.drawn = 0; this.report(started); return; }
    const zoom = this._map.getZoom();
    const r = zoom >= 17 ? 5 : zoom >= 16 ? 4 : zoom >= 15 ? 3 : 2;
    // Bucket the visible points by type × status into reused typed arrays, then draw each bucket as one path.
    const xy = this.xy, counts = this.counts, maxX = size.x + 8, maxY = size.y + 8;
    counts.fill(0);
    let drawn = 0;
    for (const a of this.store.values()) {
      const k = a.k;
      if (k < 0) continue;
      const x = a.wx * scale - ox, y = a.wy * scale - oy;
      if (x < -8 || y < -8 || x > maxX || y > maxY) continue;
      let n = counts[k], points = xy[k];
      if (n + 2 > points.length) { const bigger = new Float32Array(points.length * 2); bigger.set(points); xy[k] = points = bigger; }
      points[n] = x; points[n + 1] = y;
      counts[k] = n + 2;
      drawn++;
    }
    // Zoomed out (r ≤ 2) the poles — most of the points — are small squares: written into one ImageData and put in
    // one call, instead of tens of thousands of subpaths for the canvas to fill.
    const tiny = r <= 2;
    if (tiny) this.pixelPoles(ctx, r);
    for (let t = tiny ? 1 : 0; t < TYPES.length; t++) for (let s = 0; s < STATUSES.length; s++) {
      const k = t * STATUSES.length + s, n = counts[k], points = xy[k], type = TYPES[t];
      if (!n) continue;
      ctx.fillStyle = STATUS_COLOURS[STATUSES[s]];
      ctx.strokeStyle = '#000a'; ctx.lineWidth = 1;
      const outline = type === 'link' || type === 'intersection';
      // Paths of at most CHUNK shapes: one path of tens of thousands of subpaths fills far slower than many small ones.
      for (let from = 0; from < n; from += 2 * CHUNK) {
        ctx.beginPath();
        for (let i = from, end = Math.min(n, from + 2 * CHUNK); i < end; i += 2) shape(ctx, type, points[i], points[i + 1], r);
        ctx.fill();
        if (outline) ctx.stroke();
      }
    }
    // Highlighted results and the selected asset: rings on top.
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#c000c0';
    ctx.beginPath();
    for (const id of this.highlight) {
      const a = this.store.get(id);
      if (!a) continue;
      const x = a.wx * scale - ox, y = a.wy * scale - oy;
      ctx.moveTo(x + r + 4, y); ctx.arc(x, y, r + 4, 0, 2 * Math.PI);
    }
    ctx.stroke();
    const sel = this.selected && this.store.get(this.selected);
    if (sel) {
      const x = sel.wx * scale - ox, y = sel.wy * scale - oy;
      ctx.strokeStyle = '#000'; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.arc(x, y, r + 7, 0, 2 * Math.PI); ctx.stroke();
    }
    this.drawn = drawn;
    this.report(started);
  },

  /** The pole buckets (type 0) as squares of 2r CSS pixels, straight into the canvas's pixels. */
  pixelPoles(ctx, r) {
    const w = this.canvas.width, h = this.canvas.height, ratio = this.ratio;
    if (!this.image || this.image.width !== w || this.image.height !== h) {
      this.image = ctx.createImageData(w, h);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const px = this.pixels, side = Math.max(1, Math.round(2 * r * ratio)), half = r * ratio;
    px.fill(0);
    for (let s = 0; s < STATUSES.length; s++) {
      const n = this.counts[s], points = this.xy[s], colour = PIXELS[s];
      for (let i = 0; i < n; i += 2) {
        const x0 = Math.round(points[i] * ratio - half), y0 = Math.round(points[i + 1] * ratio - half);
        const x1 = Math.min(w, x0 + side), y1 = Math.min(h, y0 + side);
        for (let y = Math.max(0, y0); y < y1; y++) {
          const row = y * w;
          for (let x = Math.max(0, x0); x < x1; x++) px[row + x] = colour;
        }
      }
    }
    ctx.putImageData(this.image, 0, 0);
  },

  report(started) {
    this.lastMs = performance.now() - started;
    // The last draws as [end (performance.now()), points drawn, ms] triples: what the benchmarks and tests read.
    if (this.log.length >= 30000) this.log.splice(0, 15000);
    this.log.push(started + this.lastMs, this.drawn, this.lastMs);
    this._map.getContainer().dataset.drawn = String(this.drawn);
    this.fire('drawn', { drawn: this.drawn, ms: this.lastMs });
  },

  /** The asset nearest a container point, within a few pixels. */
  hit(point) {
    const { scale, ox, oy } = this.view();
    let best = null, bestD = 100; // 10 px squared
    for (const a of this.store.values()) {
      const dx = a.wx * scale - ox - point.x, dy = a.wy * scale - oy - point.y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = a; }
    }
    return best;
  },
});

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
    this.store = new Map(); // id → { id, type, status, district, lon, lat, wx, wy, attributes }
    this.map = L.map(element, { preferCanvas: true, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, minZoom: 3, maxZoom: 19, zoomSnap: 0.5 });
    this.renderer = L.canvas({ padding: 0.2 });
    if (config?.tileUrl) L.tileLayer(config.tileUrl, { attribution: config.tileAttribution ?? '', maxZoom: 19 }).addTo(this.map);
    this.map.attributionControl.setPrefix(false);
    this.districtLayer = L.layerGroup().addTo(this.map);
    this.aggregateLayer = L.layerGroup().addTo(this.map);
    this.overlayLayer = L.layerGroup().addTo(this.map); // lines to a selected asset's neighbours / dependents
    this.points = new AssetCanvas(this.store).addTo(this.map);
    this.districts = [];
    this.map.setView([50.85, 4.35], 13);
  }

  /** Add or update assets from a query page or the feed. */
  upsert(item) {
    const lon = item.location?.lon, lat = item.location?.lat;
    let a = this.store.get(item.id);
    if (!a) {
      if (lon === undefined) return null;
      const [wx, wy] = project(lon, lat);
      a = { id: item.id, lon, lat, wx, wy };
      this.store.set(item.id, a);
    } else if (lon !== undefined && (lon !== a.lon || lat !== a.lat)) {
      [a.wx, a.wy] = project(lon, lat); a.lon = lon; a.lat = lat;
    }
    a.type = item.type ?? a.type;
    a.status = item.status ?? a.status;
    a.k = bucketOf(a.type, a.status);
    a.district = item.district ?? a.district;
    if (item.attributes) a.attributes = item.attributes;
    this.points.schedule();
    return a;
  }

  remove(id) { if (this.store.delete(id)) this.points.schedule(); }

  /** District outlines with their KPIs, from /api/stats; fit the view to them the first time. */
  setDistricts(districts, fit) {
    this.districts = districts.filter(d => d.bbox);
    this.districtLayer.clearLayers();
    for (const d of this.districts) {
      const [minLon, minLat, maxLon, maxLat] = d.bbox;
      const offline = d.offlineRatio ?? 0;
      L.rectangle([[minLat, minLon], [maxLat, maxLon]], {
        renderer: this.renderer, color: offline > 0.05 ? '#d62728' : '#1c2330', weight: 1.5, dashArray: '6 4', fill: true, fillOpacity: 0.03, interactive: false,
      }).addTo(this.districtLayer);
      L.tooltip({ permanent: true, direction: 'center', className: 'district-label', interactive: false })
        .setLatLng([maxLat, (minLon + maxLon) / 2]).setContent(`${d.id} · ${(offline * 100).toFixed(1)}% offline · ${d.powerDrawKw?.toFixed(0)} kW`)
        .addTo(this.districtLayer);
    }
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
    const aggregated = this.aggregated;
    this.map.getContainer().dataset.mode = aggregated ? 'districts' : 'points';
    this.points.visible = !aggregated;
    this.points.schedule();
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
