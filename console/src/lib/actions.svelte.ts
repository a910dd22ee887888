import { ApiError, post } from './api';
import type { Alert, AlertState } from './types';

/**
 * Alert actions (DESIGN §6: accept / arrive / resolve / cancel / escalate / note) that survive
 * a flaky phone connection: a network failure or 502/503/504 keeps the action pending and
 * retries it with backoff (and at once when the browser says it is online again); the UI shows
 * it as "等待网络". A conflict (409) is final: someone else took the alert, or it moved on.
 * A retry after a lost answer can meet its own earlier success as a 409; that counts as done
 * when the alert is already where the action would have put it.
 */
export type ActionName = 'accept' | 'arrive' | 'resolve' | 'cancel' | 'escalate' | 'notes';

export interface PendingAction {
  key: string;
  alertId: string;
  action: ActionName;
  body: Record<string, unknown>;
  phase: 'sending' | 'waiting' | 'failed';
  attempts: number;
  error?: string;
  code?: string;
}

const TARGET: Partial<Record<ActionName, AlertState[]>> = {
  accept: ['accepted', 'on_site', 'resolved'],
  arrive: ['on_site', 'resolved'],
  resolve: ['resolved'],
  cancel: ['cancelled'],
};
const RETRY_MS = [1000, 2000, 5000, 10_000, 20_000, 30_000];

type Sender = (path: string, body: unknown) => Promise<unknown>;

export class ActionQueue {
  items = $state.raw<PendingAction[]>([]);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine !== false);
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #send: Sender;

  constructor(send: Sender = (p, b) => post(p, b)) {
    this.#send = send;
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => { this.online = true; this.retryAll(); });
      window.addEventListener('offline', () => { this.online = false; });
    }
  }

  /** The pending or failed action for an alert, if any (for the button's state). */
  of(alertId: string): PendingAction | undefined {
    return this.items.find((a) => a.alertId === alertId);
  }

  /**
   * Runs an action. Resolves with the server's answer once it succeeds (possibly after
   * retries), or rejects with the final ApiError.
   */
  run<T = Alert>(alertId: string, action: ActionName, body: Record<string, unknown> = {}, current?: () => Alert | undefined): Promise<T> {
    const key = `${alertId}:${action}`;
    this.#cancelTimer(key);
    const entry: PendingAction = { key, alertId, action, body, phase: 'sending', attempts: 0 };
    this.#put(entry);
    return new Promise<T>((resolve, reject) => {
      const attempt = async () => {
        entry.attempts++;
        this.#put({ ...entry, phase: 'sending' });
        try {
          const res = await this.#send(`/alerts/${encodeURIComponent(alertId)}/${action}`, body);
          this.#remove(key);
          resolve(res as T);
        } catch (err) {
          const e = err instanceof ApiError ? err : new ApiError(0, 'network', String(err));
          if (e.retriable) {
            this.#put({ ...entry, phase: 'waiting', error: e.message, code: e.code });
            const delay = RETRY_MS[Math.min(entry.attempts - 1, RETRY_MS.length - 1)]!;
            this.#timers.set(key, setTimeout(() => { this.#timers.delete(key); void attempt(); }, delay));
            this.#retryFns.set(key, attempt);
            return;
          }
          const now = current?.();
          if (e.status === 409 && now && TARGET[action]?.includes(now.state) && action !== 'accept') {
            this.#remove(key);
            resolve(now as T);
            return;
          }
          this.#put({ ...entry, phase: 'failed', error: e.message, code: e.code });
          reject(e);
        }
      };
      void attempt();
    });
  }

  #retryFns = new Map<string, () => Promise<void>>();

  retryAll(): void {
    for (const [key, fn] of this.#retryFns) {
      if (!this.#timers.has(key)) continue;
      this.#cancelTimer(key);
      void fn();
    }
  }

  dismiss(key: string): void { this.#remove(key); }

  #put(a: PendingAction): void {
    const i = this.items.findIndex((x) => x.key === a.key);
    this.items = i < 0 ? [...this.items, a] : this.items.map((x, j) => (j === i ? a : x));
  }

  #remove(key: string): void {
    this.#cancelTimer(key);
    this.#retryFns.delete(key);
    this.items = this.items.filter((x) => x.key !== key);
  }

  #cancelTimer(key: string): void {
    const t = this.#timers.get(key);
    if (t) clearTimeout(t);
    this.#timers.delete(key);
  }
}

export const actions = new ActionQueue();
