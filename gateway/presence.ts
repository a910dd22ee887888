import type pg from 'pg';
import { wallClock, type Clock } from '../domain/clock.js';
import { applyPresence, type PresenceUpdate } from '../store/devices-repository.js';

const FLUSH_MS = 250;

/**
 * Device presence (DESIGN §2): online/offline from connect/disconnect, last seen from any
 * message or keepalive ping. Kept in memory and written in batches, so a reconnect storm of
 * 50k devices costs a few statements, not 50k.
 */
export class Presence {
  private pending = new Map<string, PresenceUpdate>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly pool: pg.Pool, private readonly log: (m: string, e?: unknown) => void, private readonly clock: Clock = wallClock) {}

  /** Nothing waits to be written (the simulated day advances its clock only when all is written). */
  get idle(): boolean { return this.pending.size === 0 && !this.flushing; }

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  online(deviceId: string): void { this.note(deviceId, { online: true }); }
  offline(deviceId: string): void { this.note(deviceId, { online: false }); }
  /** Any message or ping: the device is evidently online (the offline sweep may have said otherwise). */
  seen(deviceId: string, battery?: number, rssi?: number): void {
    this.note(deviceId, { online: true, battery: battery ?? null, rssi: rssi ?? null });
  }

  private note(deviceId: string, change: Partial<PresenceUpdate>): void {
    const prev = this.pending.get(deviceId);
    this.pending.set(deviceId, {
      deviceId,
      lastSeenAt: this.clock.now(),
      online: change.online ?? prev?.online ?? null,
      battery: change.battery ?? prev?.battery ?? null,
      rssi: change.rssi ?? prev?.rssi ?? null,
    });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.flushing = true;
    try {
      await applyPresence(this.pool, rows);
    } catch (err) {
      // Keep the newest news for the next try, unless something newer arrived meanwhile.
      for (const r of rows) if (!this.pending.has(r.deviceId)) this.pending.set(r.deviceId, r);
      this.log('presence write failed; will retry', err);
    } finally {
      this.flushing = false;
    }
  }
}
