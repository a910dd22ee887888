import { afterAll, beforeAll, expect, test } from 'vitest';
import { findAlert } from '../../store/alert-transitions-repository.js';
import { claimAndAppendInAppAll, escalateAllIfUnchanged, findAlertsForTimers } from '../../store/escalation-repository.js';
import { loadRoutingContext } from '../../store/routing-context-repository.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { insertAlert, seedDispatchCommunity } from '../helpers/dispatcher-fixtures.js';

/** The escalation timers' batched statements keep the compare-and-set and the once-only claims (issue 6). */
let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

const escalate = { type: 'escalate', by: 'system', expectLevel: 0, reason: 'no accept within ACK_TIMEOUT_S' } as const;

test('the read carries the routing context; a version that moved since the read is not escalated; one alert twice in a batch escalates once', async () => {
  const c = await seedDispatchCommunity(db);
  const [a1, a2] = [await insertAlert(db, c.householdId, 'sos', new Date()), await insertAlert(db, c.householdId, 'fall', new Date())];
  const [r1, r2, missing] = await findAlertsForTimers(db.pool, [a1, a2, 'not-a-uuid']);
  expect(missing).toBeNull();
  expect(r1!.context).toEqual(await loadRoutingContext(db.pool, c.householdId));
  // Someone (the gateway's repeat press) changes a2 after the read.
  await db.pool.query(`UPDATE alerts SET signal_count = signal_count + 1 WHERE id = $1`, [a2]);
  const at = new Date();
  const step = (r: typeof r1) => ({ before: r!.alert, version: r!.version, action: escalate, actor: 'system', at, extra: { levelStartedAt: at, ackBreached: true } });
  const out = await escalateAllIfUnchanged(db.pool, [step(r1), step(r2), step(r1)]);
  expect(out.map((o) => o?.alert.level ?? null)).toEqual([1, null, null]);
  expect((await findAlert(db.pool, a1))!.level).toBe(1);
  expect((await findAlert(db.pool, a2))!.level).toBe(0);
  const events = await db.pool.query(`SELECT alert_id FROM alert_events WHERE type = 'escalated' AND alert_id = ANY($1)`, [[a1, a2]]);
  expect(events.rows).toEqual([{ alert_id: a1 }]);
  const live = await db.pool.query(`SELECT data FROM live_events WHERE seq = $1`, [out[0]!.live[0]!.seq]);
  expect(live.rows[0].data).toMatchObject({ id: a1, level: 1, ackBreached: true });
  // The stale read again: refused, nothing written.
  expect(await escalateAllIfUnchanged(db.pool, [step(r1)])).toEqual([null]);
});

test('in-app claims: the row is written sent with its live event, once per (alert, round, target)', async () => {
  const c = await seedDispatchCommunity(db);
  const alertId = await insertAlert(db, c.householdId, 'sos', new Date());
  const claim = { alertId, round: 'level:1', purpose: 'page', target: `responder:${c.r.sup}`, responderId: c.r.sup, tier: 1, at: new Date(),
    event: { type: 'responder.notify', data: { responderId: c.r.sup, alertId } } };
  const [first, dup] = await claimAndAppendInAppAll(db.pool, [claim, claim]);
  expect(dup).toBeNull();
  expect(first!.live.data).toMatchObject({ notificationId: first!.id, responderId: c.r.sup });
  expect(await claimAndAppendInAppAll(db.pool, [claim])).toEqual([null]);
  const rows = await db.pool.query(`SELECT status, attempts FROM notifications WHERE alert_id = $1`, [alertId]);
  expect(rows.rows).toEqual([{ status: 'sent', attempts: 1 }]);
});
