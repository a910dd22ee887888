import type { ChildProcess } from 'node:child_process';

/**
 * Memory per connection is read after a full garbage collection in the broker's process, so the
 * heap figure counts what the connections keep alive rather than the garbage a ramp left for the
 * next GC. The children run with --expose-gc (child-node.ts).
 */
export function answerGcRequests(): void {
  process.on('message', (m: { op?: string }) => {
    if (m?.op !== 'gc') return;
    // One full GC compacts only the pages it has time for; V8's memory reducer, when a process
    // goes idle, also runs several in a row. Both brokers get the same.
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 4; i++) gc?.();
    // The bench may have gone meanwhile (stopped, or past its budget): then there is nobody to
    // answer, and a send on the closed channel must not crash the broker (ERR_IPC_CHANNEL_CLOSED).
    if (process.connected) process.send?.({ op: 'gc-done', heapUsed: process.memoryUsage().heapUsed }, undefined, {}, () => {});
  });
}

/**
 * Resolves with the child's live heap after the collection, or null if it did not answer in
 * time — or cannot: a child that exited (or is exiting) has closed its IPC channel, and sending
 * on it threw ERR_IPC_CHANNEL_CLOSED out of the bench (issue 21).
 */
export function collectGarbage(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  return askChild<{ heapUsed?: number }, number>(child, 'gc', 'gc-done', (m) => m.heapUsed ?? null, timeoutMs);
}

/**
 * One request to a bench child over IPC ({op}) and its answer ({op: answerOp, …}), or null when
 * it does not answer within `timeoutMs`, has exited, or its channel is closed.
 */
export function askChild<M, T>(child: ChildProcess, op: string, answerOp: string, pick: (m: M) => T | null, timeoutMs = 10_000): Promise<T | null> {
  if (!child.connected) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (value: T | null) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (m: M & { op?: string }) => { if (m?.op === answerOp) done(pick(m)); };
    const onExit = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs); // a busy child is measured as it is
    child.on('message', onMessage);
    child.once('exit', onExit);
    // With a callback, a failed send reports here instead of throwing or emitting 'error'.
    child.send({ op }, (err) => { if (err) done(null); });
  });
}
