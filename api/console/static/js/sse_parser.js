// Parses a text/event-stream as it arrives, in pieces cut anywhere (the HTML standard's
// server-sent events format). The console reads streams through fetch(), not EventSource,
// because EventSource cannot send the Authorization header a server with a token requires.

export class SseParser {
  /** `onMessage({event, data, id})` is called for each complete event. */
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.pending = '';
    this.reset();
    this.lastEventId = '';
    this.retryMillis = null;
  }

  reset() {
    this.event = '';
    this.data = [];
    this.hasData = false;
  }

  /** Feeds the next piece of the stream. */
  push(text) {
    this.pending += text;
    // A '\r' at the very end may be half of a "\r\n": keep it until the next piece.
    const lines = this.pending.split(/\r\n|\r(?!$)|\n/);
    this.pending = lines.pop();
    for (const line of lines) this.takeLine(line);
  }

  takeLine(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;  // a comment: the server's keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMillis = Number(value);
  }

  dispatch() {
    if (this.hasData) {
      this.onMessage({
        event: this.event || 'message',
        data: this.data.join('\n'),
        id: this.lastEventId,
      });
    }
    this.reset();
  }
}
