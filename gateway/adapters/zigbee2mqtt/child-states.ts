import type pg from 'pg';
import type { Z2mState } from '../../../domain/zigbee2mqtt-mapping.js';
import { loadChildState, saveChildState } from '../../../store/zigbee2mqtt-repository.js';

const MAX_CACHED = 50_000;

/**
 * The last state of each registered child, kept in PostgreSQL (so edges survive a restart and a
 * hub moving to another gateway) with a copy in memory. `serial` runs a hub's messages one after
 * the other: two in flight would both compare against the same old state.
 */
export class ChildStates {
  private readonly cache = new Map<string, Z2mState>();
  /** What was last written per child, to skip writing a resend. */
  private readonly saved = new Map<string, { json: string; linkQuality: number | undefined }>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly pool: pg.Pool) {}

  /** Runs `fn` after every earlier task of this key (a hub) is done. */
  serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    this.queues.set(key, tail);
    void tail.then(() => { if (this.queues.get(key) === tail) this.queues.delete(key); });
    return next;
  }

  async get(childId: string): Promise<Z2mState | null> {
    const cached = this.cache.get(childId);
    if (cached) return cached;
    const stored = await loadChildState(this.pool, childId);
    if (stored) this.remember(childId, stored);
    return stored;
  }

  /**
   * Writes the state when it changed (or the link quality did): most zigbee2mqtt messages are
   * resends of the same state, and they need no write.
   */
  async save(childId: string, state: Z2mState, at: Date, linkQuality: number | undefined): Promise<void> {
    const json = JSON.stringify(state);
    const last = this.saved.get(childId);
    if (last && last.json === json && (linkQuality === undefined || linkQuality === last.linkQuality)) return;
    await saveChildState(this.pool, childId, state, at, linkQuality);
    this.remember(childId, state);
    this.saved.set(childId, { json, linkQuality: linkQuality ?? last?.linkQuality });
  }

  /** Forget the memory copy (the hub went to another gateway, or the child was revoked). */
  drop(childIds: Iterable<string>): void {
    for (const id of childIds) { this.cache.delete(id); this.saved.delete(id); }
  }

  /** Children are registered as `<hubId>/<ieee>`. */
  dropHub(hubId: string): void {
    for (const id of this.cache.keys()) if (id.startsWith(`${hubId}/`)) { this.cache.delete(id); this.saved.delete(id); }
  }

  private remember(childId: string, state: Z2mState): void {
    if (this.cache.size >= MAX_CACHED) { this.cache.clear(); this.saved.clear(); }
    this.cache.set(childId, state);
  }
}
