import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTestApp, createHouseholdWithPeople, createResponder, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * GET /api/v1/reports/sla as it computes today (issue 21 item 6; the report's definitions are in
 * store/reports-repository.ts): a handful of alerts with known instants, and every figure of
 * each grouping checked against a hand computation — percentiles are PostgreSQL's
 * percentile_cont (linear between the two nearest values). Then the CSV a supervisor opens in Excel.
 * Asia/Shanghai (UTC+8), day shift 08:00-20:00, SLA_ONSITE_S 900.
 */
let db: TestDb;
let app: FastifyInstance;
let admin: TestLogin;
let r1: string;
let r2: string;

const local = (s: string) => new Date(`${s}+08:00`);
const from = '2026-05-04T00:00:00+08:00';
const to = '2026-05-06T00:00:00+08:00';

async function alert(a: {
  household: string; first: string; kind?: string; severity?: string; state: string;
  acceptS?: number; onSiteS?: number; by?: string; ackBreached?: boolean; onsiteBreached?: boolean;
}) {
  const first = local(a.first);
  const at = (s?: number) => (s === undefined ? null : new Date(first.getTime() + s * 1000));
  await db.pool.query(
    `INSERT INTO alerts (id, household_id, kind, severity, state, first_signal_at, last_signal_at, opened_at,
                         accepted_at, accepted_by, on_site_at, ack_breached, onsite_breached)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $7, $8, $9, $10, $11)`,
    [randomUUID(), a.household, a.kind ?? 'sos', a.severity ?? 'critical', a.state, first, at(a.acceptS), a.by ?? null, at(a.onSiteS),
      a.ackBreached ?? false, a.onsiteBreached ?? false]);
}

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  admin = await loginAs(app, db, 'admin');
  r1 = await createResponder(db, undefined, { name: '张网格' });
  // A name a spreadsheet would run as a formula: the CSV defuses it.
  r2 = await createResponder(db, undefined, { name: '=2+3 李专员' });
  const h1 = (await createHouseholdWithPeople(db, { grid: 'g-rep-1' })).id;
  const h2 = (await createHouseholdWithPeople(db, { grid: 'g-rep-2' })).id;
  // Day shift of 05-04: A, B, C.
  await alert({ household: h1, first: '2026-05-04T10:00:00', state: 'resolved', acceptS: 60, onSiteS: 600, by: r1 });
  await alert({ household: h1, first: '2026-05-04T10:30:00', kind: 'fall', state: 'resolved', acceptS: 120, onSiteS: 1000, by: r2 }); // late, flag unset
  await alert({ household: h1, first: '2026-05-04T14:00:00', state: 'on_site', acceptS: 300, onSiteS: 300, by: r1, ackBreached: true });
  // Night shift that starts on 05-04: D at 22:00, E at 02:00 on 05-05 (still that night).
  await alert({ household: h2, first: '2026-05-04T22:00:00', state: 'cancelled' });
  await alert({ household: h2, first: '2026-05-05T02:00:00', state: 'resolved', acceptS: 90, onSiteS: 800, by: r2 });
  // Not counted: a maintenance alert (no SLA), and an alert outside [from, to).
  await alert({ household: h1, first: '2026-05-04T11:00:00', kind: 'battery_low', severity: 'maintenance', state: 'open' });
  await alert({ household: h1, first: '2026-05-06T09:00:00', state: 'resolved', acceptS: 10, onSiteS: 20, by: r1 });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const get = (query: string) => app.inject({ url: `/api/v1/reports/sla?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&${query}`, headers: admin.bearer });

/** The figures of a group that no passive alert and no empty tier touched: only the paging measures differ. */
const quiet = { pending: 0, nobodyOnDuty: 0, passiveAlerts: 0, detectionDelayMedianS: null, detectionDelayP90S: null };

test('by shift: counts, accepted within 60/180 s, median and p90 to accept and to on site, share on site within the SLA, breaches', async () => {
  const res = await get('groupBy=shift');
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body).toMatchObject({ groupBy: 'shift', slaOnsiteS: 900, total: 2 });
  expect(body.items).toEqual([
    {
      key: '2026-05-04 day', label: '2026-05-04 day', alerts: 3, decided: 3, accepted: 3, onSite: 3, cancelled: 0, ...quiet,
      // accepted after 60, 120, 300 s: one within 60 s, two within 180 s
      acceptedWithin60s: 1, acceptedWithin60sPct: 33.3, acceptedWithin180s: 2, acceptedWithin180sPct: 66.7,
      // accept [60, 120, 300]: median 120, p90 120 + 0.8 × 180; on site [300, 600, 1000]: 600, 600 + 0.8 × 400
      acceptMedianS: 120, acceptP90S: 264, onSiteMedianS: 600, onSiteP90S: 920,
      onSiteWithinSla: 2, onSiteWithinSlaPct: 66.7, ackBreaches: 1, onSiteBreaches: 1,
    },
    {
      // the cancelled alert needed nobody at the door: decided 1, and 1 of 1 on site in time
      key: '2026-05-04 night', label: '2026-05-04 night', alerts: 2, decided: 1, accepted: 1, onSite: 1, cancelled: 1, ...quiet,
      acceptedWithin60s: 0, acceptedWithin60sPct: 0, acceptedWithin180s: 1, acceptedWithin180sPct: 100,
      acceptMedianS: 90, acceptP90S: 90, onSiteMedianS: 800, onSiteP90S: 800,
      onSiteWithinSla: 1, onSiteWithinSlaPct: 100, ackBreaches: 0, onSiteBreaches: 0,
    },
  ]);
});

test('by responder (who accepted), by grid, and the whole window', async () => {
  const byResponder = (await get('groupBy=responder')).json().items;
  expect(byResponder).toEqual([
    { key: '', label: '(not accepted)', alerts: 1, decided: 0, accepted: 0, onSite: 0, cancelled: 1, ...quiet,
      acceptedWithin60s: 0, acceptedWithin60sPct: null, acceptedWithin180s: 0, acceptedWithin180sPct: null,
      acceptMedianS: null, acceptP90S: null, onSiteMedianS: null, onSiteP90S: null, onSiteWithinSla: 0, onSiteWithinSlaPct: null,
      ackBreaches: 0, onSiteBreaches: 0 },
    ...[
      // r1: accept [60, 300], on site [300, 600]; r2: accept [90, 120], on site [800, 1000]
      { key: r1, label: '张网格', alerts: 2, decided: 2, accepted: 2, onSite: 2, cancelled: 0, ...quiet,
        acceptedWithin60s: 1, acceptedWithin60sPct: 50, acceptedWithin180s: 1, acceptedWithin180sPct: 50,
        acceptMedianS: 180, acceptP90S: 276, onSiteMedianS: 450, onSiteP90S: 570, onSiteWithinSla: 2, onSiteWithinSlaPct: 100,
        ackBreaches: 1, onSiteBreaches: 0 },
      { key: r2, label: '=2+3 李专员', alerts: 2, decided: 2, accepted: 2, onSite: 2, cancelled: 0, ...quiet,
        acceptedWithin60s: 0, acceptedWithin60sPct: 0, acceptedWithin180s: 2, acceptedWithin180sPct: 100,
        acceptMedianS: 105, acceptP90S: 117, onSiteMedianS: 900, onSiteP90S: 980, onSiteWithinSla: 1, onSiteWithinSlaPct: 50,
        ackBreaches: 0, onSiteBreaches: 1 },
    ].sort((a, b) => a.key.localeCompare(b.key)),
  ]);
  const byGrid = (await get('groupBy=grid')).json().items;
  expect(byGrid.map((g: { key: string; alerts: number; onSiteWithinSlaPct: number | null }) => [g.key, g.alerts, g.onSiteWithinSlaPct]))
    .toEqual([['g-rep-1', 3, 66.7], ['g-rep-2', 2, 100]]);
  const all = (await get('groupBy=all')).json().items;
  expect(all).toHaveLength(1);
  // 5 alerts, 4 decided, 3 of them on site within 900 s (300, 600, 800; not 1000)
  expect(all[0]).toMatchObject({ alerts: 5, decided: 4, cancelled: 1, onSiteWithinSla: 3, onSiteWithinSlaPct: 75, acceptedWithin180s: 3, acceptedWithin180sPct: 75 });
});

test('CSV: UTF-8 with BOM, CRLF, a header row, the same figures, nulls empty, formulas defused, a dated file name', async () => {
  const res = await get('groupBy=responder&format=csv');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
  // Local days in GUARDIAN_TZ: the window is 05-04 00:00 to 05-06 00:00 in Shanghai.
  expect(res.headers['content-disposition']).toBe('attachment; filename="sla-responder-2026-05-04-2026-05-05.csv"');
  expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  const lines = res.body.replace(/^\uFEFF/, '').split('\r\n');
  expect(lines.at(-1)).toBe(''); // ends with CRLF
  expect(lines[0]).toBe('group,name,alerts,pending,decided,accepted,on_site,cancelled,accepted_within_60s_pct,accepted_within_180s_pct,'
    + 'accept_median_s,accept_p90_s,on_site_median_s,on_site_p90_s,on_site_within_sla,on_site_within_sla_pct,ack_breaches,on_site_breaches,'
    + 'nobody_on_duty,passive_alerts,detection_delay_median_s,detection_delay_p90_s');
  expect(lines).toContain(',(not accepted),1,0,0,0,0,1,,,,,,,0,,0,0,0,0,,');
  expect(lines).toContain(`${r1},张网格,2,0,2,2,2,0,50,50,180,276,450,570,2,100,1,0,0,0,,`);
  expect(lines).toContain(`${r2},'=2+3 李专员,2,0,2,2,2,0,0,100,105,117,900,980,1,50,0,1,0,0,,`);
  expect(lines).toHaveLength(1 + 3 + 1);
});

test('bad windows are a 400 that says what is wrong', async () => {
  const backwards = await app.inject({ url: `/api/v1/reports/sla?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`, headers: admin.bearer });
  expect(backwards.statusCode).toBe(400);
  expect(backwards.json().error.message).toMatch(/from must be before/);
  const tooLong = await app.inject({ url: '/api/v1/reports/sla?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', headers: admin.bearer });
  expect(tooLong.statusCode).toBe(400);
  expect(tooLong.json().error.message).toMatch(/366 days/);
});
