import { afterAll, beforeAll, expect, test } from 'vitest';
import { ingestAlertBatch, ingestAlertEvent } from '../../store/alert-ingest-repository.js';
import { findAlert, toLiveData } from '../../store/alert-transitions-repository.js';
import type { SignalRow } from '../../store/signals-repository.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createDevice, createHousehold } from '../helpers/gateway.js';

let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db?.drop(); });

async function home(kind: 'sos_button' | 'fall_radar' = 'sos_button') {
  const householdId = await createHousehold(db);
  const { deviceId } = await createDevice(db, householdId, kind);
  return { householdId, deviceId };
}
const signal = (h: { householdId: string; deviceId: string }, eventId: string, type = 'sos', at = new Date()): SignalRow => ({
  deviceId: h.deviceId, householdId: h.householdId, eventId, type, ts: at, deviceTs: at, receivedAt: at,
  value: null, battery: 80, rssi: -50, confidence: type === 'fall' ? 0.9 : null, room: 'bedroom', activity: false,
});
const q = async (sql: string, params: unknown[]) => (await db.pool.query(sql, params)).rows;

test('one statement opens an alert per household, with its signal, timeline row and live event', async () => {
  const homes = [await home(), await home(), await home('fall_radar')];
  const results = await ingestAlertBatch(db.pool, [signal(homes[0]!, 'p1'), signal(homes[1]!, 'p1'), signal(homes[2]!, 'f1', 'fall')]);
  expect(results.map((r) => r.outcome)).toEqual(['opened', 'opened', 'opened']);
  for (const [i, r] of results.entries()) {
    if (r.outcome !== 'opened') throw new Error('unreachable');
    const h = homes[i]!;
    const alert = (await findAlert(db.pool, r.alertId))!;
    expect(alert).toMatchObject({ householdId: h.householdId, kind: i === 2 ? 'fall' : 'sos', state: 'open', signalCount: 1, deviceId: h.deviceId });
    // What the feed carries is what toLiveData would say about the stored alert.
    expect(r.live).toEqual([{ seq: expect.any(Number), type: 'alert.created', data: toLiveData(alert) }]);
    expect(await q(`SELECT type, data FROM live_events WHERE seq = $1`, [r.live[0]!.seq])).toEqual([{ type: 'alert.created', data: toLiveData(alert) }]);
    expect(await q(`SELECT device_id, event_id FROM alert_signals WHERE alert_id = $1`, [r.alertId])).toEqual([{ device_id: h.deviceId, event_id: i === 2 ? 'f1' : 'p1' }]);
    expect(await q(`SELECT actor, type, to_state, data->>'eventId' AS event FROM alert_events WHERE alert_id = $1`, [r.alertId]))
      .toEqual([{ actor: `device:${h.deviceId}`, type: 'created', to_state: 'open', event: i === 2 ? 'f1' : 'p1' }]);
  }
  expect(await q(`SELECT count(*)::int AS n FROM signals WHERE device_id = ANY($1)`, [homes.map((h) => h.deviceId)])).toEqual([{ n: 3 }]);
});

test('a repeat attaches to the live alert (accepted, with its timestamps); a resent event is a duplicate', async () => {
  const h = await home();
  const first = await ingestAlertEvent(db.pool, signal(h, 'press-1'));
  if (first.outcome !== 'opened') throw new Error(`expected opened, got ${first.outcome}`);
  await db.pool.query(`UPDATE alerts SET state = 'accepted', accepted_by = 'r-batch', accepted_at = now(), level = 1 WHERE id = $1`, [first.alertId]);
  const other = await home();
  const results = await ingestAlertBatch(db.pool, [signal(h, 'press-2'), signal(other, 'press-1')]);
  expect(results[0]).toMatchObject({ outcome: 'attached', alertId: first.alertId });
  const alert = (await findAlert(db.pool, first.alertId))!;
  expect(alert).toMatchObject({ signalCount: 2, state: 'accepted', acceptedBy: 'r-batch' });
  expect(results[0]!.outcome === 'attached' && results[0]!.live).toEqual([{ seq: expect.any(Number), type: 'alert.updated', data: toLiveData(alert) }]);
  expect(await q(`SELECT type FROM alert_events WHERE alert_id = $1 ORDER BY id`, [first.alertId])).toEqual([{ type: 'created' }, { type: 'repeat' }]);

  const again = await ingestAlertBatch(db.pool, [signal(h, 'press-2'), signal(other, 'press-1')]);
  expect(again).toEqual([{ outcome: 'duplicate' }, { outcome: 'duplicate' }]);
  expect(await q(`SELECT signal_count FROM alerts WHERE id = $1`, [first.alertId])).toEqual([{ signal_count: 2 }]);
});
