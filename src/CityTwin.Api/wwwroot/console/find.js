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
