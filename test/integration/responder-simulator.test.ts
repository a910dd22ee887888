import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OUTCOMES } from '../../domain/alert-kinds.js';
import { startResponderSimulation } from '../../simulators/responder-simulator.js';
import { buildTestApp, createPlaces, createTestUser } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

/**
 * Simulated responders against the real HTTP API (issue 4 item 9): they log in, see the alerts
 * they were paged about, and accept / arrive / resolve them; two people paged for the same
 * alert race and exactly one accept wins.
 */
let db: TestDb;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function pagedAlert(householdId: string, kind: string, responderIds: string[]): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `INSERT INTO alerts (id, household_id, kind, severity, state, first_signal_at, last_signal_at, routed_at, notified_at, level_started_at)
     VALUES ($1, $2, $3, 'critical', 'notified', now(), now(), now(), now(), now())`, [id, householdId, kind]);
  for (const r of responderIds) {
    await db.pool.query(
      `INSERT INTO notifications (alert_id, responder_id, tier, channel, target, status, round, purpose)
       VALUES ($1, $2, 0, 'in_app', 'responder:' || $2, 'sent', 'tier:0', 'page')`, [id, r]);
  }
  return id;
}

test('simulated responders accept, arrive and resolve through the API; one accept wins a shared alert', async () => {
  const { building } = await createPlaces(db, { grid: 'g-sim' });
  // The second home lies in another grid: paged only to the org specialist, it is not the grid worker's.
  const other = await createPlaces(db, { grid: 'g-sim-2' });
  await db.pool.query(`INSERT INTO households (id, building_id, unit, address) VALUES ('h-sim-1', $1, '1室', '路1号'), ('h-sim-2', $2, '2室', '路2号')`, [building, other.building]);
  await db.pool.query(
    `INSERT INTO responders (id, name, role, phone, community_id, grid_ids) VALUES
       ('r-sim-gw', '网格员小张', 'grid_worker', '13800000011', 'c-api', '{g-sim}'),
       ('r-sim-org', '社工小王', 'org_specialist', '13800000012', 'c-api', '{}')`);
  const gw = await createTestUser(db, 'responder', { responderId: 'r-sim-gw' });
  const org = await createTestUser(db, 'responder', { responderId: 'r-sim-org' });
  const shared = await pagedAlert('h-sim-1', 'sos', ['r-sim-gw', 'r-sim-org']);
  const own = await pagedAlert('h-sim-2', 'fall', ['r-sim-org']);

  const sim = startResponderSimulation({
    url, speed: 5000, lateRate: 0.5, seed: 5, pollMs: 100,
    logins: [
      { ...gw, role: 'responder', responderId: 'r-sim-gw', displayName: '网格员小张' },
      { ...org, role: 'responder', responderId: 'r-sim-org', displayName: '社工小王' },
    ],
  });
  try {
    expect(await sim.ready).toEqual({ loggedIn: 2, failed: [] });
    const rows = await waitFor(async () => {
      const r = (await db.pool.query(`SELECT id, state, accepted_by, outcome, on_site_at FROM alerts WHERE id = ANY($1)`, [[shared, own]])).rows;
      return r.every((a) => a.state === 'resolved') ? r : null;
    }, { what: 'both alerts resolved', timeoutMs: 15_000 });
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(['r-sim-gw', 'r-sim-org']).toContain(byId[shared].accepted_by);
    expect(byId[own].accepted_by).toBe('r-sim-org');
    for (const r of rows) {
      expect(OUTCOMES).toContain(r.outcome);
      expect(r.on_site_at).not.toBeNull();
    }
    const accepts = (await db.pool.query(
      `SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1 AND type = 'state' AND to_state = 'accepted'`, [shared])).rows[0].n;
    expect(accepts).toBe(1);
    // The database says resolved as soon as the API commits; the simulator counts once the answer reaches it.
    await waitFor(() => sim.stats().resolved === 2, { what: 'the simulator to count both resolves', timeoutMs: 10_000 });
    expect(sim.stats()).toMatchObject({ loggedIn: 2, accepted: 2, arrived: 2, resolved: 2, errors: 0 });
  } finally {
    await sim.stop();
  }
});
