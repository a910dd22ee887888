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
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly pool: pg.Pool) {}

  /** Runs `fn` after every earlier task of this key (a hub) is done. */
  serial<T>(childId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(childId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    this.queues.set(childId, tail);
    void tail.then(() => { if (this.queues.get(childId) === tail) this.queues.delete(childId); });
    return next;
  }

  async get(childId: string): Promise<Z2mState | null> {
    const cached = this.cache.get(childId);
    if (cached) return cached;
    const stored = await loadChildState(this.pool, childId);
    if (stored) this.remember(childId, stored);
    return stored;
  }

  async save(childId: string, state: Z2mState, at: Date, linkQuality: number | undefined): Promise<void> {
    await saveChildState(this.pool, childId, state, at, linkQuality);
    this.remember(childId, state);
  }

  /** Forget the memory copy (the hub went to another gateway, or the child was revoked). */
  drop(childIds: Iterable<string>): void {
    for (const id of childIds) this.cache.delete(id);
  }

  /** Children are registered as `<hubId>/<ieee>`. */
  dropHub(hubId: string): void {
    for (const id of this.cache.keys()) if (id.startsWith(`${hubId}/`)) this.cache.delete(id);
  }

  private remember(childId: string, state: Z2mState): void {
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(childId, state);
  }
}
