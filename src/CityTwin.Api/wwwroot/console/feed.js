// The live feed (GET /api/feed, Server-Sent Events) read with fetch() and a ReadableStream, since EventSource cannot
// send the Authorization header. Reconnects with Last-Event-ID; reports its state and every gap.

export class LiveFeed {
  /**
   * @param {import('./api.js').Api} api
   * @param {{ onEvent(type, data, id), onState(state, detail), onGap(gap) }} handlers
   */
  constructor(api, handlers) {
    this.api = api;
    this.handlers = handlers;
    this.lastEventId = null;
    this.retryMs = 3000;
    this.state = 'idle';
    this.stats = { events: 0, gaps: 0, connects: 0 };
    this.controller = null;
    this.stopped = true;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
    this.setState('idle');
  }

  /** Drop the current connection and reconnect at once (from lastEventId). */
  reconnectNow() { this.controller?.abort(); }

  setState(state, detail) {
    this.state = state;
    this.handlers.onState?.(state, detail);
  }

  async loop() {
    let failures = 0;
    while (!this.stopped) {
      this.setState(this.stats.connects === 0 ? 'connecting' : 'reconnecting', this.lastEventId ? `resuming after ${this.lastEventId}` : undefined);
      let wait = this.retryMs;
      try {
        const ended = await this.connectOnce();
        failures = 0;
        if (ended === 'aborted') wait = 0; // asked to reconnect now (overflow, watchdog)
      } catch (error) {
        if (this.stopped) break;
        if (error.status === 401 || error.status === 403) { this.setState('unauthorized', error.message); this.stopped = true; break; }
        failures++;
        wait = Math.min(30000, this.retryMs * 2 ** Math.min(failures - 1, 4));
        this.setState('reconnecting', `${error.message}; retrying in ${Math.round(wait / 1000)} s`);
      }
      if (this.stopped) break;
      if (wait > 0) await new Promise(r => setTimeout(r, wait));
    }
  }

  async connectOnce() {
    const controller = this.controller = new AbortController();
    const headers = { Authorization: this.api.authorization, Accept: 'text/event-stream' };
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    let response;
    try {
      response = await fetch('/api/feed', { headers, signal: controller.signal, cache: 'no-store' });
    } catch (error) {
      if (controller.signal.aborted) return 'aborted';
      throw error;
    }
    if (!response.ok) {
      const error = new Error(`feed answered ${response.status}`);
      error.status = response.status;
      throw error;
    }
    this.stats.connects++;
    this.setState('live');
    // A heartbeat comes after 15 s of silence: 45 s without a byte means the connection is dead.
    let watchdog;
    const arm = () => { clearTimeout(watchdog); watchdog = setTimeout(() => controller.abort(), 45000); };
    arm();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    // Line ends normalised to \n as chunks arrive (a \r ending a chunk waits for the next: it may be half of \r\n),
    // then each blank line ends an event: one scan and one slice per chunk, not one copy of the buffer per event.
    let buffer = '', heldCr = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        let text = heldCr ? `\r${value}` : value;
        heldCr = text.endsWith('\r');
        if (heldCr) text = text.slice(0, -1);
        if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
        buffer += text;
        let pos = 0, end;
        while (!controller.signal.aborted && (end = buffer.indexOf('\n\n', pos)) >= 0) {
          this.dispatch(buffer.slice(pos, end));
          pos = end + 2;
        }
        if (pos) buffer = buffer.slice(pos);
      }
    } catch (error) {
      if (controller.signal.aborted) return 'aborted';
      throw error;
    } finally {
      clearTimeout(watchdog);
    }
    if (controller.signal.aborted) return 'aborted';
    throw new Error('the feed ended');
  }

  dispatch(block) {
    let event = 'message', data = [], id = null;
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (id !== null) this.lastEventId = id;
    if (data.length === 0) return;
    let payload;
    try { payload = JSON.parse(data.join('\n')); } catch { return; }
    this.stats.events++;
    if (event === 'gap') {
      this.stats.gaps++;
      this.handlers.onGap?.(payload);
      // An overflow dropped this connection's queue: what it missed is still in the history after resumeAfter.
      if (payload.reason === 'overflow' && payload.resumeAfter) {
        this.lastEventId = payload.resumeAfter;
        this.reconnectNow();
      }
      return;
    }
    this.handlers.onEvent?.(event, payload, id);
  }
}
