import { expect, test } from 'vitest';
import { AlertWriter, IngestBackloggedError, isRowError, type AlertStore } from '../../gateway/alert-writer.js';
import type { AlertIngestResult } from '../../store/alert-ingest-repository.js';
import type { SignalRow } from '../../store/signals-repository.js';

const row = (householdId: string, eventId: string, type = 'sos'): SignalRow => ({
  deviceId: `d-${householdId}`, householdId, eventId, type, ts: new Date(0), deviceTs: new Date(0), receivedAt: new Date(0),
  value: null, battery: null, rssi: null, confidence: null, room: null, activity: false,
});

/** A store whose transactions finish when the test says so; it records what each one held. */
function fakeStore(fail: (r: SignalRow) => Error | null = () => null) {
  const calls: Array<{ kind: 'batch' | 'one'; events: string[] }> = [];
  const finish: Array<() => void> = [];
  let running = 0, peak = 0;
  const run = async <T>(kind: 'batch' | 'one', rows: SignalRow[], result: () => T): Promise<T> => {
    calls.push({ kind, events: rows.map((r) => r.eventId) });
    running++; peak = Math.max(peak, running);
    await new Promise<void>((r) => finish.push(r));
    running--;
    const err = rows.map(fail).find((e) => e);
    if (err) throw err;
    return result();
  };
  const opened = (r: SignalRow): AlertIngestResult => ({ outcome: 'opened', alertId: `a-${r.eventId}`, live: [] });
  const store: AlertStore = {
    batch: (rows) => run('batch', rows, () => rows.map(opened)),
    one: (r) => run('one', [r], () => opened(r)),
  };
  const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };
  /** Finishes every transaction in flight, repeatedly, until `done` holds. */
  const drain = async (done: () => boolean) => { while (!done()) { await settle(); finish.splice(0).forEach((f) => f()); } };
  return { store, calls, settle, drain, peak: () => peak };
}

test('rows that arrive together commit in one batch; a household\'s second event waits for its first', async () => {
  const f = fakeStore();
  const w = new AlertWriter(f.store, { batchMax: 100, maxConcurrent: 2, maxWaiting: 100 });
  const done: string[] = [];
  const writes = [row('h1', 'e1'), row('h2', 'e2'), row('h1', 'e3'), row('h3', 'e4')]
    .map((r) => w.write(r).then(() => { done.push(r.eventId); }));
  await f.drain(() => done.length === 4);
  await Promise.all(writes);
  expect(f.calls[0]).toEqual({ kind: 'batch', events: ['e1', 'e2', 'e4'] });
  expect(f.calls[1]).toEqual({ kind: 'batch', events: ['e3'] });
  expect(done.indexOf('e3')).toBeGreaterThan(done.indexOf('e1'));
});

test('at most maxConcurrent transactions at once, batches of at most batchMax; a full queue fails fast', async () => {
  const f = fakeStore();
  const w = new AlertWriter(f.store, { batchMax: 2, maxConcurrent: 2, maxWaiting: 6 });
  const writes = Array.from({ length: 6 }, (_, i) => w.write(row(`h${i}`, `e${i}`)));
  await f.settle();
  expect(f.calls.map((c) => c.events)).toEqual([['e0', 'e1'], ['e2', 'e3']]);
  expect(w.queued).toBe(2);
  for (let i = 0; i < 4; i++) void w.write(row(`x${i}`, `x${i}`)).catch(() => {});
  await expect(w.write(row('late', 'late'))).rejects.toBeInstanceOf(IngestBackloggedError);
  await f.drain(() => w.queued === 0 && f.calls.length === 5);
  await Promise.all(writes);
  expect(f.peak()).toBe(2);
  await w.stop();
});

test('a row PostgreSQL refuses fails alone: the batch is retried one by one', async () => {
  const poison = Object.assign(new Error('invalid input syntax'), { code: '22P02' });
  const f = fakeStore((r) => (r.eventId === 'bad' ? poison : null));
  const w = new AlertWriter(f.store, { batchMax: 10, maxConcurrent: 1, maxWaiting: 10 });
  const good = w.write(row('h1', 'ok1'));
  const bad = w.write(row('h2', 'bad'));
  const good2 = w.write(row('h3', 'ok2'));
  const outcome = Promise.allSettled([good, bad, good2]);
  await f.drain(() => f.calls.length === 4 && w.queued === 0);
  const [a, b, c] = await outcome;
  expect(a).toMatchObject({ status: 'fulfilled', value: { outcome: 'opened', alertId: 'a-ok1' } });
  expect(b).toMatchObject({ status: 'rejected', reason: poison });
  expect(c).toMatchObject({ status: 'fulfilled', value: { alertId: 'a-ok2' } });
  expect(f.calls.map((x) => x.kind)).toEqual(['batch', 'one', 'one', 'one']);
});

test('a lost database fails the whole batch at once (no PUBACK, devices retry), without retrying each row', async () => {
  const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const f = fakeStore(() => down);
  const w = new AlertWriter(f.store, { batchMax: 10, maxConcurrent: 1, maxWaiting: 10 });
  const outcome = Promise.allSettled([w.write(row('h1', 'e1')), w.write(row('h2', 'e2'))]);
  await f.drain(() => f.calls.length === 1);
  expect((await outcome).map((o) => o.status)).toEqual(['rejected', 'rejected']);
  expect(f.calls).toEqual([{ kind: 'batch', events: ['e1', 'e2'] }]);
});

test('a cancel is written on its own, after the batch it arrived with', async () => {
  const f = fakeStore();
  const w = new AlertWriter(f.store, { batchMax: 10, maxConcurrent: 1, maxWaiting: 10 });
  const writes = Promise.all([w.write(row('h1', 's1')), w.write(row('h2', 'c1', 'cancel')), w.write(row('h3', 's2'))]);
  await f.drain(() => f.calls.length === 2 && w.queued === 0);
  await writes;
  expect(f.calls).toEqual([{ kind: 'batch', events: ['s1', 's2'] }, { kind: 'one', events: ['c1'] }]);
});

test('isRowError: SQLSTATE data errors yes; lost connection, shutdown, resources and plain errors no', () => {
  expect(isRowError({ code: '22P02' })).toBe(true);
  expect(isRowError({ code: '40P01' })).toBe(true); // deadlock: each alone will get through
  expect(isRowError({ code: '08006' })).toBe(false);
  expect(isRowError({ code: '57P01' })).toBe(false);
  expect(isRowError({ code: '53300' })).toBe(false);
  expect(isRowError({ code: 'ECONNREFUSED' })).toBe(false);
  expect(isRowError(new Error('timeout'))).toBe(false);
});
