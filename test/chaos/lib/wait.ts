import { waitFor } from '../../helpers/db.js';

/** The test helpers' waitFor with the chaos scenarios' argument order and a 200 ms poll. */
export function until<T>(fn: () => Promise<T> | T, timeoutMs: number, what: string, intervalMs = 200): Promise<NonNullable<T>> {
  return waitFor(fn, { timeoutMs, what: `${what} (${timeoutMs} ms)`, intervalMs });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
