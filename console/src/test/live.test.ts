import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveStore, type SocketLike } from '../lib/live.svelte';
import type { LiveEvent } from '../lib/types';
import { alert, household } from './fixtures';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  close() { this.closed = true; }
  open() { this.onopen?.({}); }
  send(msg: unknown) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  drop() { this.closed = true; this.onclose?.({}); }
}

function setup(opts: { strictSeq?: boolean; schedule?: (flush: () => void) => void } = {}) {
  const sockets: FakeSocket[] = [];
  const store = new LiveStore({
    url: (since) => `ws://test/api/v1/live${since === null ? '' : `?since=${since}`}`,
    socket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; },
    load: async () => ({ households: [household('h1'), household('h2', { devicesOnline: 3 })] }),
    pollWhileStaleMs: 0,
    ...opts,
  });
  return { store, sockets, last: () => sockets[sockets.length - 1]! };
}

const updated = (seq: number, state: 'accepted' | 'on_site' | 'notified', id = 'a1'): LiveEvent =>
  ({ seq, type: 'alert.updated', data: alert({ id, state }) });

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('live store: snapshot, seq order, duplicates, gaps, reconnect', () => {
  it('is live only after the snapshot, and applies events in order', async () => {
    const { store, last } = setup();
    await store.start();
    expect(store.status).toBe('connecting');
    last().open();
    last().send({
      type: 'snapshot', seq: 10,
      data: { alerts: [alert({ id: 'a1' })], summary: { devices: 10, devicesOnline: 8 }, config: { slaWarnS: 120, slaOnsiteS: 240, ackTimeoutS: 60, dayShift: '07:00-19:00', tz: 'Asia/Shanghai', shift: { name: 'day', date: '2026-11-24', endsAt: '2026-11-24T11:00:00.000Z' } } },
    });
    expect(store.status).toBe('live');
    expect(store.lastSeq).toBe(10);
    // The board's own counts win over the summary: the KPI says what the tiles show (issue 20 item 4).
    expect(store.devicesOffline).toBe(1);
    // The SLA settings and the shift are the server's (issue 20 item 1).
    expect(store.config).toMatchObject({ slaOnsiteS: 240, slaWarnS: 120, shift: { name: 'day' } });
    expect(store.tiles.get('h1')!.status).toBe('alert');
    expect(store.tiles.get('h1')!.flashing).toBe(true);

    expect(store.receive(updated(11, 'accepted'))).toBe('applied');
    expect(store.alert('a1')!.state).toBe('accepted');
    expect(store.tiles.get('h1')!.flashing).toBe(false);
    expect(store.lastSeq).toBe(11);
  });

  it('ignores duplicates (a resume may replay what it already applied)', async () => {
    const { store, last } = setup();
    await store.start();
    last().send({ type: 'snapshot', seq: 10, data: { alerts: [alert({ id: 'a1' })] } });
    last().send(updated(11, 'on_site'));
    last().send(updated(11, 'accepted'));
    expect(store.receive(updated(9, 'notified'))).toBe('duplicate');
    expect(store.alert('a1')!.state).toBe('on_site');
    expect(store.lastSeq).toBe(11);
  });

  it('on a gap, does not apply the event and reopens with ?since=<last applied seq>', async () => {
    const { store, sockets, last } = setup();
    await store.start();
    last().send({ type: 'snapshot', seq: 10, data: { alerts: [alert({ id: 'a1' })] } });
    last().send(updated(11, 'accepted'));
    const first = last();
    first.send(updated(13, 'on_site'));
    expect(store.alert('a1')!.state).toBe('accepted');
    expect(first.closed).toBe(true);
    expect(sockets).toHaveLength(2);
    expect(last().url).toBe('ws://test/api/v1/live?since=11');
    // The server answers a resume, then replays 12 and 13.
    last().send({ type: 'resume', seq: 11, data: { since: 11, until: 13 } });
    last().send({ seq: 12, type: 'household.status', data: { householdId: 'h2', monitored: false } });
    last().send(updated(13, 'on_site'));
    expect(store.alert('a1')!.state).toBe('on_site');
    expect(store.tiles.get('h2')!.status).toBe('unmonitored');
    expect(store.status).toBe('live');
  });

  it('a responder feed skips seqs by design: no resume for those', async () => {
    const { store, sockets, last } = setup({ strictSeq: false });
    await store.start();
    last().send({ type: 'snapshot', seq: 10, data: { alerts: [] } });
    expect(store.receive(updated(15, 'notified'))).toBe('applied');
    expect(sockets).toHaveLength(1);
  });

  it('a scoped dispatch feed (another community\'s events filtered out) keeps applying in order across skips', async () => {
    const { store, sockets, last } = setup({ strictSeq: false, schedule: (flush) => queueMicrotask(flush) });
    await store.start();
    last().send({ type: 'snapshot', seq: 10, data: { alerts: [] } });
    last().send(updated(12, 'notified'));
    last().send(updated(13, 'accepted'));
    last().send(updated(13, 'notified')); // a duplicate is still dropped
    last().send(updated(17, 'on_site'));
    await Promise.resolve();
    expect(store.alert('a1')!.state).toBe('on_site');
    expect(store.stats.gaps).toBe(0);
    expect(store.stats.duplicates).toBe(1);
    expect(sockets).toHaveLength(1);
  });

  it('goes stale when the socket drops, reconnects with backoff and resumes from the last seq', async () => {
    const { store, sockets, last } = setup();
    await store.start();
    last().send({ type: 'snapshot', seq: 20, data: { alerts: [] } });
    last().drop();
    expect(store.status).toBe('stale');
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(sockets).toHaveLength(2);
    expect(last().url).toBe('ws://test/api/v1/live?since=20');
    last().drop(); // still down: the next attempt waits longer
    await vi.advanceTimersByTimeAsync(450);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(3);
    last().open();
    last().send({ type: 'resume', seq: 20, data: { since: 20, until: 20 } });
    expect(store.status).toBe('live');
    store.stop();
    expect(store.status).toBe('idle');
  });

  it('tells listeners about alerts that appear while watching, not those of the first load', async () => {
    const { store, last } = setup();
    const seen: string[] = [];
    store.onNewAlert((a) => seen.push(a.id));
    await store.start();
    last().send({ type: 'snapshot', seq: 1, data: { alerts: [alert({ id: 'old' })] } });
    last().send({ seq: 2, type: 'alert.created', data: alert({ id: 'new', householdId: 'h2' }) });
    expect(seen).toEqual(['new']);
    expect(store.tiles.get('h2')!.flashing).toBe(true);
  });

  it('tracks device presence per device without double counting repeats', async () => {
    const { store, last } = setup();
    await store.start();
    last().send({ type: 'snapshot', seq: 1, data: { alerts: [] } });
    expect(store.devicesOffline).toBe(1);
    last().send({ seq: 2, type: 'device.status', data: { deviceId: 'd1', householdId: 'h1', online: false } });
    last().send({ seq: 3, type: 'device.status', data: { deviceId: 'd1', householdId: 'h1', online: false } });
    expect(store.devicesOffline).toBe(2);
    expect(store.tiles.get('h1')!.status).toBe('offline');
    last().send({ seq: 4, type: 'device.status', data: { deviceId: 'd1', householdId: 'h1', online: true } });
    expect(store.devicesOffline).toBe(1);
    expect(store.tiles.get('h1')!.status).toBe('normal');
  });

  it('with a scheduler, events wait for the batch, are applied in order and publish the alert list once', async () => {
    const flushes: Array<() => void> = [];
    const { store, last } = setup({ schedule: (f) => { flushes.push(f); } });
    await store.start();
    last().send({ type: 'snapshot', seq: 10, data: { alerts: [alert({ id: 'a1' }), alert({ id: 'a2', householdId: 'h2' })] } });
    const listBefore = store.alerts;
    last().send(updated(11, 'accepted'));
    last().send(updated(12, 'on_site'));
    last().send(updated(13, 'accepted', 'a2'));
    expect(flushes).toHaveLength(1);
    expect(store.lastSeq).toBe(10);
    expect(store.alert('a1')!.state).toBe('notified');
    flushes[0]!();
    expect(store.lastSeq).toBe(13);
    expect(store.stats.applied).toBe(3);
    expect(store.alert('a1')!.state).toBe('on_site');
    expect(store.alert('a2')!.state).toBe('accepted');
    expect(store.alerts).not.toBe(listBefore);
    expect(store.alerts.find((a) => a.id === 'a1')!.state).toBe('on_site');
    expect(store.tiles.get('h1')!.flashing).toBe(false);
  });

  it('with a scheduler, a gap drops the rest of the batch and resumes from the last applied seq', async () => {
    const flushes: Array<() => void> = [];
    const { store, sockets, last } = setup({ schedule: (f) => { flushes.push(f); } });
    await store.start();
    last().send({ type: 'snapshot', seq: 10, data: { alerts: [alert({ id: 'a1' })] } });
    last().send(updated(11, 'accepted'));
    last().send(updated(13, 'on_site'));
    last().send(updated(14, 'on_site'));
    flushes[0]!();
    expect(store.lastSeq).toBe(11);
    expect(store.stats.gaps).toBe(1);
    expect(sockets).toHaveLength(2);
    expect(last().url).toBe('ws://test/api/v1/live?since=11');
  });
});
