// The WebSocket to the movement engine, reconnecting after a drop and resuming the same set.

/** Close codes the server uses to refuse; reconnecting would not help. */
const REFUSED = new Set([4401, 4403, 4404, 4409]);
const MAX_DELAY_MS = 8000;

export class LiveSocket {
  /**
   * `onMessage(event)` gets every JSON event; `onState(state)` gets "open", "reconnecting",
   * "refused" or "closed"; `resumeMessage()` returns the start_set to resend after a drop (or null).
   */
  constructor(path, { onMessage, onState, resumeMessage }) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = `${scheme}//${location.host}${path}`;
    this.onMessage = onMessage;
    this.onState = onState;
    this.resumeMessage = resumeMessage;
    this.delay = 500;
    this.closing = false;
    this.ws = null;
  }

  connect() {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.url);
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      ws.onopen = () => {
        this.delay = 500;
        this.onState("open");
        const resume = this.resumeMessage();
        if (resume) this.sendControl(resume);
        resolve(true);
      };
      ws.onmessage = (message) => this.onMessage(JSON.parse(message.data));
      ws.onclose = (event) => {
        resolve(false);
        if (this.closing) { this.onState("closed"); return; }
        if (REFUSED.has(event.code)) { this.onState("refused"); return; }
        this.onState("reconnecting");
        setTimeout(() => this.connect(), this.delay);
        this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
      };
    });
  }

  get open() { return this.ws !== null && this.ws.readyState === WebSocket.OPEN; }

  sendFrame(buffer) { if (this.open) this.ws.send(buffer); }

  sendControl(message) {
    if (this.open) { this.ws.send(JSON.stringify(message)); return true; }
    return false;
  }

  /** Drop the connection without closing the set (used by tests and when the page hides). */
  drop() { if (this.ws) this.ws.close(); }

  close() { this.closing = true; if (this.ws) this.ws.close(); }
}
