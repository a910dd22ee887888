import type { WebSocket } from 'ws';
import type { LiveEvent } from '../../domain/live-events.js';
import { liveSlowConsumers } from '../api-metrics.js';
import type { Scope } from '../../domain/access-scope.js';
import type { LiveAudience } from './live-audience.js';
import type { LiveSink } from './live-hub.js';

/** Close codes of the live feed (4000-4999 are the application's, RFC 6455 §7.4.2). */
export const LIVE_CLOSE = {
  /** The client reads too slowly; reconnect with ?since=<last seq received>. */
  slowConsumer: 4008,
  /** The session ended (signed out, expired, disabled): sign in again. */
  sessionEnded: 4001,
  /** The server is shutting down; reconnect (to another instance) with ?since. */
  goingAway: 1001,
} as const;

/** Events held while the socket catches up (snapshot or replay); more than this is a slow consumer. */
const MAX_HELD = 10_000;

export interface LiveClientOptions {
  /** What the socket's user reaches (domain/access-scope.ts). */
  scope: Scope;
  /** The responder the socket belongs to, for their own pages and status. */
  responderId: string | null;
  maxBufferedBytes: number;
  heartbeatMs: number;
}

/**
 * One live-feed socket. Until `startStreaming` it holds the hub's events (the snapshot or replay
 * is being sent); then it streams them, filtered to what the user may see. `lastSeq` is the
 * highest seq this socket received, which is what the client resumes from.
 *
 * Backpressure: when the socket's send buffer passes `maxBufferedBytes` (a phone on a bad
 * network, a frozen tab) the socket is closed with 4008 and a reason naming the seq to resume
 * from, instead of letting the buffer grow without bound.
 */
export class LiveClient implements LiveSink {
  readonly responderId: string | null;
  /** Re-read with the session while the socket lives (live-routes.ts), so a narrowed scope applies. */
  scope: Scope;
  lastSeq = 0;
  private held: Array<{ events: readonly LiveEvent[]; audience: LiveAudience }> = [];
  private heldCount = 0;
  private streaming = false;
  private closed = false;
  private alive = true;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly socket: WebSocket, private readonly opts: LiveClientOptions, private readonly onClose: () => void) {
    this.responderId = opts.responderId;
    this.scope = opts.scope;
    socket.on('pong', () => { this.alive = true; });
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
    // A peer that did not answer the previous ping is gone (NAT timeout, phone asleep): cut it.
    this.heartbeat = setInterval(() => {
      if (!this.alive) { socket.terminate(); return; }
      this.alive = false;
      try { socket.ping(); } catch { /* closing */ }
    }, opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(events: readonly LiveEvent[], audience: LiveAudience): void {
    if (this.closed) return;
    if (!this.streaming) {
      this.held.push({ events, audience });
      this.heldCount += events.length;
      if (this.heldCount > MAX_HELD) this.tooSlow();
      return;
    }
    for (const e of events) if (audience.visibleTo(e, this)) this.sendEvent(e);
  }

  /** Sends a control message (snapshot, resume), not an event. */
  sendControl(message: { type: string; seq: number; data: unknown }): void {
    this.send(JSON.stringify(message));
  }

  /** Sends events, filtered, during a replay (the caller supplies the audience). */
  replay(events: readonly LiveEvent[], audience: LiveAudience): void {
    for (const e of events) if (audience.visibleTo(e, this)) this.sendEvent(e);
  }

  /** After the snapshot or replay, which covered everything up to `coveredSeq`: flush what was held, then stream. */
  startStreaming(coveredSeq: number): void {
    this.lastSeq = Math.max(this.lastSeq, coveredSeq);
    const held = this.held;
    this.held = [];
    this.heldCount = 0;
    for (const { events, audience } of held) {
      for (const e of events) if (e.seq > coveredSeq && audience.visibleTo(e, this)) this.sendEvent(e);
    }
    this.streaming = true;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    try { this.socket.close(code, reason.slice(0, 120)); } catch { /* already closing */ }
    this.dispose();
  }

  private sendEvent(e: LiveEvent): void {
    this.send(JSON.stringify({ seq: e.seq, type: e.type, data: e.data }));
    if (e.seq > this.lastSeq) this.lastSeq = e.seq;
  }

  private send(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.opts.maxBufferedBytes) { this.tooSlow(); return; }
    this.socket.send(text);
  }

  private tooSlow(): void {
    liveSlowConsumers.inc();
    this.close(LIVE_CLOSE.slowConsumer, `slow consumer; reconnect with ?since=${this.lastSeq}`);
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.held = [];
    this.onClose();
  }
}
