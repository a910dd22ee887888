import WebSocket from 'ws';

/**
 * The simulation's own window on the live feed, signed in as an admin (whose scope is
 * everything): the last seq delivered (the settle barrier compares it with the table), whether
 * alert or page events arrived since the phones last caught up, and which alerts are live.
 */
export class LiveMonitor {
  lastSeq = 0;
  /** An alert or page event arrived since the phones' last barrier. */
  phonesBehind = false;
  readonly live = new Map<string, string>();
  private ws: WebSocket | null = null;

  async open(httpUrl: string, token: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/api/v1/live?token=${encodeURIComponent(token)}`);
      ws.on('message', (raw) => this.onMessage(String(raw)));
      ws.once('open', () => { this.ws = ws; resolve(); });
      ws.once('error', reject);
    });
  }

  get liveAlerts(): number { return this.live.size; }

  close(): void { this.ws?.terminate(); }

  private onMessage(raw: string): void {
    let m: { type?: string; seq?: number; data?: { id?: string; state?: string; alerts?: Array<{ id: string; state: string }> } };
    try { m = JSON.parse(raw) as typeof m; } catch { return; }
    if (typeof m.seq === 'number' && m.seq > this.lastSeq) this.lastSeq = m.seq;
    if (m.type === 'snapshot') for (const a of m.data?.alerts ?? []) this.note(a.id, a.state);
    if ((m.type === 'alert.created' || m.type === 'alert.updated') && m.data?.id && m.data.state) {
      this.note(m.data.id, m.data.state);
      this.phonesBehind = true;
    }
    if (m.type === 'responder.notify') this.phonesBehind = true;
  }

  private note(id: string, state: string): void {
    if (state === 'resolved' || state === 'cancelled') this.live.delete(id);
    else this.live.set(id, state);
  }
}
