// The find box: typed text (`type=camera status=offline district=d02 dimLevel<50`, or an asset id) turned into the
// query API's parameters (GET /api/assets?…).

const PLAIN = new Set(['type', 'status', 'district', 'bbox', 'near', 'radius', 'limit']);
const TERM = /^([A-Za-z][A-Za-z0-9]*)(<=|>=|!=|<|>|=|:)(.+)$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * @returns {{ id?: string, query?: string, error?: string }} an id to open, or the query string (without '?').
 */
export function parseFind(text) {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { error: 'Type a filter or an id.' };
  if (tokens.length === 1 && !TERM.test(tokens[0]) && ID.test(tokens[0])) return { id: tokens[0] };
  const params = [];
  for (const token of tokens) {
    const m = TERM.exec(token);
    if (!m) return { error: `"${token}" is neither a filter (name=value, dimLevel<50) nor an id.` };
    let [, name, op, value] = m;
    if (op === ':') op = '=';
    // The API unescapes each term whole, so an attribute condition goes as written (dimLevel%3C50).
    params.push(PLAIN.has(name) && op === '=' ? `${name}=${encodeURIComponent(value)}` : encodeURIComponent(name + op + value));
  }
  return { query: params.join('&') };
}

/** Attributes the query API compares, by type (the form offers them; any other name may still be typed). */
export const ATTRIBUTES = {
  pole: ['dimLevel', 'powerW', 'illuminanceLevel', 'energyKWh', 'lampOn', 'lampFault', 'driverFault'],
  camera: ['vehicleCount', 'pedestrianCount', 'frameRate', 'feedOnline'],
  intersection: ['flowVehPerHour', 'mode'],
  link: ['latencyMs', 'throughputMbps', 'packetLossPct', 'condition'],
};

/**
 * The filters form as the typed text it stands for: `type=camera status=offline district=d02 latencyMs>=80`.
 * @param {{ type?: string, status?: string, district?: string, attribute?: string, op?: string, value?: string }} form
 * @returns {{ text?: string, error?: string }}
 */
export function buildFind({ type, status, district, attribute, op = '=', value } = {}) {
  const terms = [];
  if (type) terms.push(`type=${type}`);
  if (status) terms.push(`status=${status}`);
  if (district) terms.push(`district=${district}`);
  attribute = attribute?.trim(); value = value?.trim();
  if (attribute || value) {
    if (!attribute || !/^[A-Za-z][A-Za-z0-9]*$/.test(attribute)) return { error: 'Name an attribute (e.g. dimLevel).' };
    if (!value || /\s/.test(value)) return { error: `Give ${attribute} a value (one word or number).` };
    if (!['<', '<=', '=', '!=', '>=', '>'].includes(op)) return { error: `"${op}" is not a comparison.` };
    terms.push(`${attribute}${op}${value}`);
  }
  if (!terms.length) return { error: 'Choose at least one filter.' };
  return { text: terms.join(' ') };
}
