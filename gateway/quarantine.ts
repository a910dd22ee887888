import type pg from 'pg';
import { wallClock, type Clock } from '../domain/clock.js';
import { insertQuarantine, type QuarantineRow } from '../store/quarantine-repository.js';
import { quarantined } from './gateway-metrics.js';

const SAMPLE_BYTES = 128;
/** Per device: at most this many quarantine rows per window; the rest are only counted. */
const ROWS_PER_WINDOW = 20;
const WINDOW_MS = 60_000;
const FLUSH_MS = 1000;

/**
 * Keeps bad input for the engineer (device, reason, first bytes) without letting a broken or
 * hostile device fill the database: rows are rate-limited per device and written in batches.
 */
export class Quarantine {
  private pending: QuarantineRow[] = [];
  private budgets = new Map<string, { windowStart: number; used: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool, private readonly log: (m: string, e?: unknown) => void, private readonly clock: Clock = wallClock) {}

  get idle(): boolean { return this.pending.length === 0; }

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  add(deviceId: string | null, topic: string, payload: Buffer, reason: string): void {
    quarantined.inc({ reason: reason.split(':')[0]! });
    const key = deviceId ?? '?';
    const now = this.clock.nowMs();
    let budget = this.budgets.get(key);
    if (!budget || now - budget.windowStart > WINDOW_MS) {
      budget = { windowStart: now, used: 0 };
      this.budgets.set(key, budget);
    }
    if (++budget.used > ROWS_PER_WINDOW) return;
    this.pending.push({ deviceId, topic, reason, size: payload.length, sample: sampleOf(payload), receivedAt: new Date(now) });
  }

  async flush(): Promise<void> {
    if (this.budgets.size > 10_000) this.budgets.clear();
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      await insertQuarantine(this.pool, rows);
    } catch (err) {
      // Quarantine is diagnostics, not data: on a database outage we drop rather than grow.
      this.log('quarantine write failed', err);
    }
  }
}

/** First bytes, printable ASCII kept and the rest escaped, safe to show in a console. */
function sampleOf(payload: Buffer): string {
  let s = '';
  for (const b of payload.subarray(0, SAMPLE_BYTES)) {
    s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return s;
}
