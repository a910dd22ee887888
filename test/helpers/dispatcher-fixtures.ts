import { randomBytes, randomUUID } from 'node:crypto';
import type { AlertKind } from '../../domain/alert-kinds.js';
import { ALERT_SEVERITY } from '../../domain/alert-kinds.js';
import { parseConfig, type Config } from '../../domain/config.js';
import type { TestDb } from './db.js';

/**
 * A small community for dispatcher tests (DESIGN §4 roles), in Asia/Shanghai with the default
 * 08:00-20:00 day shift. Every id is suffixed so several fixtures can share a database.
 *   grid A: building A1 with the household; grid B elsewhere.
 *   day   (08-20): gw (grid A), gwB (grid B, must never be paged for A), osDay
 *   night (20-08): osNight, pd
 *   supervisor sup (no roster: always on duty), building leader bl (A1), buddy of the household,
 *   two family contacts, the community emergency phone.
 */
export interface Community {
  suffix: string; communityId: string; gridA: string; householdId: string;
  r: { gw: string; gwB: string; osDay: string; osNight: string; pd: string; sup: string; bl: string; buddy: string };
}

export async function seedDispatchCommunity(db: TestDb, opts: { supervisor?: boolean } = {}): Promise<Community> {
  const s = randomBytes(3).toString('hex');
  const c = `c-${s}`, gA = `gA-${s}`, gB = `gB-${s}`, bA = `bA-${s}`, bB = `bB-${s}`, h = `h-${s}`;
  const q = (sql: string, p: unknown[]) => db.pool.query(sql, p);
  await q(`INSERT INTO communities (id, name, emergency_phone) VALUES ($1, '鹿山社区', '025-12345678')`, [c]);
  await q(`INSERT INTO grids (id, community_id, name) VALUES ($1, $3, '一网格'), ($2, $3, '二网格')`, [gA, gB, c]);
  await q(`INSERT INTO buildings (id, grid_id, name) VALUES ($1, $2, '1栋'), ($3, $4, '9栋')`, [bA, gA, bB, gB]);
  await q(`INSERT INTO households (id, building_id, unit, address) VALUES ($1, $2, '2单元301室', '鹿山路1号')`, [h, bA]);
  await q(`INSERT INTO contacts (household_id, name, relation, phone, priority) VALUES ($1, '王小明', '儿子', '13900000001', 1), ($1, '王小红', '女儿', '13900000002', 2)`, [h]);
  const r = { gw: `gw-${s}`, gwB: `gwB-${s}`, osDay: `osd-${s}`, osNight: `osn-${s}`, pd: `pd-${s}`, sup: `sup-${s}`, bl: `bl-${s}`, buddy: `bud-${s}` };
  const people: Array<[string, string, string, string[], string[], string[]]> = [
    [r.gw, '张网格', 'grid_worker', [gA], [], []],
    [r.gwB, '李网格', 'grid_worker', [gB], [], []],
    [r.osDay, '陈专员', 'org_specialist', [], [], []],
    [r.osNight, '刘专员', 'org_specialist', [], [], []],
    [r.pd, '赵物业', 'property_duty', [], [], []],
    [r.bl, '孙楼长', 'building_leader', [], [bA], []],
    [r.buddy, '周阿姨', 'neighbour_buddy', [], [], [h]],
  ];
  if (opts.supervisor !== false) people.push([r.sup, '吴主任', 'supervisor', [], [], []]);
  for (const [id, name, role, grids, buildings, homes] of people) {
    await q(`INSERT INTO responders (id, name, role, phone, community_id, grid_ids, building_ids, household_ids)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [id, name, role, `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, c, grids, buildings, homes]);
  }
  const roster = async (id: string, starts: string, ends: string) => {
    for (let wd = 0; wd < 7; wd++) await q(`INSERT INTO roster_shifts (responder_id, weekday, starts, ends) VALUES ($1, $2, $3, $4)`, [id, wd, starts, ends]);
  };
  await roster(r.gw, '08:00', '20:00');
  await roster(r.gwB, '08:00', '20:00');
  await roster(r.osDay, '08:00', '20:00');
  await roster(r.osNight, '20:00', '08:00');
  await roster(r.pd, '20:00', '08:00');
  return { suffix: s, communityId: c, gridA: gA, householdId: h, r };
}

/** Another household in grid A of the community (for many-alert tests). */
export async function addHousehold(db: TestDb, c: Community, n: number): Promise<string> {
  const id = `h-${c.suffix}-${n}`;
  await db.pool.query(`INSERT INTO households (id, building_id, unit, address) VALUES ($1, $2, $3, '鹿山路1号')`, [id, `bA-${c.suffix}`, `${n}室`]);
  return id;
}

/** An alert as the gateway writes it: open, routed_at NULL (the outbox). */
export async function insertAlert(db: TestDb, householdId: string, kind: AlertKind, firstSignalAt: Date): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `INSERT INTO alerts (id, household_id, kind, severity, first_signal_at, last_signal_at) VALUES ($1, $2, $3, $4, $5, $5)`,
    [id, householdId, kind, ALERT_SEVERITY[kind], firstSignalAt]);
  await db.pool.query(`INSERT INTO alert_events (alert_id, at, actor, type, to_state) VALUES ($1, $2, 'device:test', 'created', 'open')`, [id, firstSignalAt]);
  return id;
}

/** A clock that reads `localIso` now and then runs at real speed (routing sees the shift; BullMQ delays stay real). */
export function clockAt(iso: string): () => Date {
  const offset = new Date(iso).getTime() - Date.now();
  return () => new Date(Date.now() + offset);
}

/**
 * The tier-routing tests check that the whole tier is paged (DESIGN §4), i.e. DISPATCH_POLICY=
 * page_all; dispatch by distance (issue 15) is tested with DISPATCH_POLICY=nearest explicitly.
 */
export function dispatcherConfig(env: Record<string, string> = {}): Config {
  return parseConfig({ GUARDIAN_TZ: 'Asia/Shanghai', DAY_SHIFT: '08:00-20:00', DISPATCH_POLICY: 'page_all', ...env });
}

export const quietLog = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** A log that keeps warnings and errors for assertions and for failing tests' messages. */
export function recordingLog() {
  const lines: string[] = [];
  const keep = (lvl: string) => (m: string, e?: unknown) => { lines.push(`${lvl} ${m}${e ? `: ${String(e)}` : ''}`); };
  return { lines, log: { info: () => {}, warn: keep('warn'), error: keep('error'), debug: () => {} } };
}
