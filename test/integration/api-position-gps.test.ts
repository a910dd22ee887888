import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';

/**
 * Issue 15 item 1: the phone shares its GPS fix; the API puts it on the community's site plan by
 * the buildings that have both a lat/lng and an x/y, or says the register lacks them.
 */
let db: TestDb;
let app: FastifyInstance;
let c: Community;
let me: TestLogin;

beforeAll(async () => {
  db = await createTestDb();
  c = await seedDispatchCommunity(db);
  await db.pool.query(`UPDATE responders SET on_duty = true, active = true WHERE id = $1`, [c.r.gw]);
  app = await buildTestApp(db);
  me = await loginAs(app, db, 'responder', { responderId: c.r.gw });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const share = (position: unknown) => app.inject({ method: 'POST', url: `/api/v1/responders/${c.r.gw}/position`, headers: me.bearer, payload: { position } as Record<string, unknown> });
const stored = async () => (await db.pool.query(`SELECT live_x_m AS x, live_y_m AS y FROM responders WHERE id = $1`, [c.r.gw])).rows[0];

describe('sharing a GPS fix', () => {
  test('no building with both positions: 409 no_plan_reference, nothing stored', async () => {
    const res = await share({ lat: 32.0, lng: 118.7 });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('no_plan_reference');
    expect(await stored()).toEqual({ x: null, y: null });
  });

  test('two reference buildings: the fix lands on the plan (x east, y north, metres)', async () => {
    // 1栋 at plan (0, 0); 9栋 200 m east on the plan and on the map.
    const kx = 111_320 * Math.cos((32 * Math.PI) / 180);
    await db.pool.query(`UPDATE buildings SET lat = 32.0, lng = 118.7, x_m = 0, y_m = 0 WHERE id = $1`, [`bA-${c.suffix}`]);
    await db.pool.query(`UPDATE buildings SET lat = 32.0, lng = $2, x_m = 200, y_m = 0 WHERE id = $1`, [`bB-${c.suffix}`, 118.7 + 200 / kx]);
    // 100 m east, 50 m north of 1栋.
    const res = await share({ lat: 32.0 + 50 / 110_574, lng: 118.7 + 100 / kx });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sharing).toBe(true);
    expect(body.position.x).toBeCloseTo(100, 0);
    expect(body.position.y).toBeCloseTo(50, 0);
    const at = await stored();
    expect(at.x).toBeCloseTo(100, 0);
    expect(at.y).toBeCloseTo(50, 0);
    // Switching off forgets it.
    expect((await share(null)).json()).toEqual({ sharing: false });
    expect(await stored()).toEqual({ x: null, y: null });
  });

  test('a fix off the globe is refused by the schema', async () => {
    expect((await share({ lat: 95, lng: 118.7 })).statusCode).toBe(400);
  });
});
