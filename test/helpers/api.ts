import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/app-deps.js';
import { ALERT_SEVERITY, type AlertKind } from '../../domain/alert-kinds.js';
import { parseConfig } from '../../domain/config.js';
import { createUser, type UserRole } from '../../store/users-repository.js';
import type { TestDb } from './db.js';

/** The API against a test database; login throttling is lifted unless a test sets it. */
export async function buildTestApp(db: TestDb, overrides: Partial<ApiDeps> = {}): Promise<FastifyInstance> {
  const app = await buildApp({
    pool: db.pool, config: parseConfig({}), loginRateLimit: { max: 10_000, timeWindowMs: 60_000 }, ...overrides,
  });
  await app.ready();
  return app;
}

let seq = 0;
const unique = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 7)}`;

export interface TestLogin {
  username: string; password: string; token: string; cookie: string;
  /** Headers for a bearer-authenticated request. */
  bearer: { authorization: string };
}

/**
 * A console user. Operators and supervisors work for every community that exists now plus the
 * test community `c-api`, unless `communityIds` says otherwise; a street user reads the streets
 * in `streetIds`.
 */
export async function createTestUser(db: TestDb, role: UserRole, opts: { responderId?: string; username?: string; password?: string; communityIds?: string[]; streetIds?: string[] } = {}) {
  const username = opts.username ?? unique(role);
  const password = opts.password ?? `pw-${unique('x')}`;
  const dispatch = role === 'operator' || role === 'supervisor';
  const existing = dispatch && !opts.communityIds
    ? (await db.pool.query<{ id: string }>(`SELECT id FROM communities`)).rows.map((r) => r.id) : [];
  await createUser(db.pool, {
    username, password, role, responderId: opts.responderId ?? null, displayName: `${role} ${username}`,
    communityIds: opts.communityIds ?? (dispatch ? [...new Set([...existing, 'c-api'])] : []), streetIds: opts.streetIds ?? [],
  });
  return { username, password };
}

export function sessionCookieOf(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'guardian_session');
  if (!c) throw new Error(`no session cookie in ${res.statusCode} ${res.body}`);
  return c.value;
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<TestLogin> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const token = res.json().token as string;
  return { username, password, token, cookie: sessionCookieOf(res), bearer: { authorization: `Bearer ${token}` } };
}

export async function loginAs(app: FastifyInstance, db: TestDb, role: UserRole, opts: { responderId?: string; communityIds?: string[]; streetIds?: string[] } = {}): Promise<TestLogin> {
  const u = await createTestUser(db, role, opts);
  return login(app, u.username, u.password);
}

/** A community → grid → building place chain (idempotent), for households to live in. */
export async function createPlaces(db: TestDb, p: { grid?: string; building?: string } = {}) {
  const grid = p.grid ?? 'g-api';
  const building = p.building ?? `${grid}-b1`;
  await db.pool.query(`INSERT INTO communities (id, name) VALUES ('c-api', '芦山社区') ON CONFLICT DO NOTHING`);
  await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ($1, 'c-api', $1) ON CONFLICT DO NOTHING`, [grid]);
  await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ($1, $2, $1) ON CONFLICT DO NOTHING`, [building, grid]);
  return { grid, building };
}

export interface HouseholdSeed { id: string; unit: string; address: string; residentPhone: string; contactPhone: string; idNumber: string }

/** A household with one resident (phone, ID number) and one family contact. */
export async function createHouseholdWithPeople(db: TestDb, p: { grid?: string; building?: string; residentName?: string; unit?: string } = {}): Promise<HouseholdSeed> {
  const { building } = await createPlaces(db, p);
  const id = unique('hh');
  const unit = p.unit ?? `${seq}单元${100 + seq}室`;
  const address = '南京市鼓楼区宁海路街道芦山路18号';
  await db.pool.query(`INSERT INTO households (id, building_id, unit, address, phone) VALUES ($1, $2, $3, $4, '02584561234')`, [id, building, unit, address]);
  const residentPhone = '13812345678', contactPhone = '13987654321', idNumber = '320102194501011234';
  await db.pool.query(`INSERT INTO residents (household_id, name, gender, birth_year, phone, id_number, conditions) VALUES ($1, $2, 'female', 1945, $3, $4, '{hypertension}')`,
    [id, p.residentName ?? '王奶奶', residentPhone, idNumber]);
  await db.pool.query(`INSERT INTO contacts (household_id, name, relation, phone) VALUES ($1, '王小明', 'son', $2)`, [id, contactPhone]);
  return { id, unit, address, residentPhone, contactPhone, idNumber };
}

export async function createResponder(db: TestDb, id = unique('r'), opts: { name?: string; role?: string; phone?: string; gridIds?: string[] } = {}): Promise<string> {
  await createPlaces(db);
  await db.pool.query(`INSERT INTO responders (id, name, role, phone, community_id, grid_ids) VALUES ($1, $2, $3, $4, 'c-api', $5)`,
    [id, opts.name ?? id, opts.role ?? 'grid_worker', opts.phone ?? '13700001111', opts.gridIds ?? []]);
  return id;
}

/** A notification row, as the dispatcher writes when it pages a responder. */
export async function notifyResponder(db: TestDb, alertId: string, responderId: string, p: { tier?: number; channel?: string; purpose?: string; round?: string } = {}): Promise<number> {
  const r = await db.pool.query<{ id: number }>(
    `INSERT INTO notifications (alert_id, responder_id, tier, channel, target, status, purpose, round)
     VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7) RETURNING id`,
    [alertId, responderId, p.tier ?? 0, p.channel ?? 'in_app', `responder:${responderId}`, p.purpose ?? 'page', p.round ?? 'tier0']);
  return r.rows[0]!.id;
}

/** An alert row straight into the table (the dispatcher's transitions are not this issue's). */
export async function insertAlert(db: TestDb, a: {
  householdId: string; kind?: string; severity?: string; state?: string; acceptedBy?: string | null; openedAt?: Date;
}): Promise<string> {
  const id = crypto.randomUUID();
  const at = a.openedAt ?? new Date();
  if (a.kind && !a.severity) a = { ...a, severity: ALERT_SEVERITY[a.kind as AlertKind] };
  await db.pool.query(
    `INSERT INTO alerts (id, household_id, kind, severity, state, first_signal_at, last_signal_at, opened_at, accepted_by, accepted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $7, CASE WHEN $7::text IS NULL THEN NULL ELSE now() END)`,
    [id, a.householdId, a.kind ?? 'sos', a.severity ?? 'critical', a.state ?? 'open', at, a.acceptedBy ?? null]);
  return id;
}
