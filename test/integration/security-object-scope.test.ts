import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import WebSocket from 'ws';
import { listenApp } from '../../api/server.js';
import type { RouteAccessEntry } from '../../api/route-access.js';
import type { LiveEvent, UnsequencedLiveEvent } from '../../domain/live-events.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { appendLiveEvents } from '../../store/live-events-repository.js';
import { publishLive } from '../../store/live-publisher.js';
import type { UserRole } from '../../store/users-repository.js';
import { buildTestApp, insertAlert, loginAs, notifyResponder, type TestLogin } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

/**
 * Object-level access (issue 23), generated from the route table: for every route with an
 * object id and every caller its roles admit, one object in the caller's scope and one outside
 * it → allowed (anything but 404) / 404 with the object unchanged; every list route returns no
 * out-of-scope item; the live feed delivers no out-of-scope event. A new route with an id, or a
 * new list, fails here until it says which object it names (OBJECTS, LISTS below).
 *
 * The world: street s-1 runs communities c-A and c-B; c-C belongs to no street.
 *   c-A: grid gA1 (building bA1), grid gA2 (building bA2); c-B: gB1 (bB1); c-C: gC1 (bC1).
 * Every object a check needs is made fresh for that check, so a change by one request (an
 * accept, a deleted roster shift) never decides another's outcome.
 */

let db: TestDb;
let app: FastifyInstance;
let redis: Redis;
let base: string;
let n = 0;
const fresh = (p: string) => `${p}-${++n}`;

type Kind = 'household' | 'alert' | 'device' | 'responder' | 'roster' | 'user' | 'hub'
  | 'street' | 'community' | 'grid' | 'building' | 'resident' | 'contact' | 'import';

/** One signed-in person of the matrix, and how to make an object inside or outside their reach. */
interface Caller {
  name: string;
  role: UserRole;
  login: TestLogin;
  /** A new home inside (true) or outside (false) their scope; null: they have no outside (admin). */
  home(inside: boolean): Promise<string | null>;
  /** A community whose people are inside / outside their scope. */
  peopleCommunity(inside: boolean): string | null;
  /** The homes they may see at all in lists (for the list checks): by building. */
  seesBuilding(buildingId: string): boolean;
  responderId: string | null;
}

async function place(community: string, street: string | null, grids: Array<[string, string]>) {
  await db.pool.query(`INSERT INTO communities (id, name, street_id) VALUES ($1, $1, $2)`, [community, street]);
  for (const [grid, building] of grids) {
    await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ($1, $2, $1)`, [grid, community]);
    await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ($1, $2, $1)`, [building, grid]);
  }
}

async function newHome(building: string): Promise<string> {
  const id = fresh(`h-${building}`);
  await db.pool.query(`INSERT INTO households (id, building_id, unit, address, phone) VALUES ($1, $2, $1, '宁海路18号', '02584561234')`, [id, building]);
  await db.pool.query(`INSERT INTO residents (household_id, name, phone) VALUES ($1, '住户', '13812345678')`, [id]);
  await db.pool.query(`INSERT INTO contacts (household_id, name, relation, phone) VALUES ($1, '家属', 'son', '13987654321')`, [id]);
  return id;
}

async function newResponder(community: string, role = 'org_specialist', extra: { gridIds?: string[]; buildingIds?: string[]; householdIds?: string[] } = {}): Promise<string> {
  const id = fresh(`r-${community}`);
  await db.pool.query(
    `INSERT INTO responders (id, name, role, phone, community_id, grid_ids, building_ids, household_ids) VALUES ($1, $1, $2, '13700001111', $3, $4, $5, $6)`,
    [id, role, community, extra.gridIds ?? [], extra.buildingIds ?? [], extra.householdIds ?? []]);
  return id;
}

const callers: Caller[] = [];

async function responderCaller(name: string, role: string, extra: Parameters<typeof newResponder>[2], home: Caller['home'], seesBuilding: Caller['seesBuilding']): Promise<Caller> {
  const responderId = await newResponder('c-A', role, extra);
  const login = await loginAs(app, db, 'responder', { responderId });
  return { name, role: 'responder', login, home, seesBuilding, responderId, peopleCommunity: (inside) => (inside ? 'c-A' : 'c-B') };
}

beforeAll(async () => {
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  app = await buildTestApp(db, { redis, onDeviceRevoked: () => {}, live: { pollMs: 250, gapWaitMs: 300, heartbeatMs: 30_000, rescopeMs: 200 } });
  base = `ws://127.0.0.1:${await listenApp(app, { host: '127.0.0.1', port: 0 })}`;
  await db.pool.query(`INSERT INTO streets (id, name) VALUES ('s-1', '宁海路街道')`);
  await place('c-A', 's-1', [['gA1', 'bA1'], ['gA2', 'bA2']]);
  await place('c-B', 's-1', [['gB1', 'bB1']]);
  await place('c-C', null, [['gC1', 'bC1']]);

  callers.push({
    name: 'admin', role: 'admin', login: await loginAs(app, db, 'admin'), responderId: null,
    home: async (inside) => (inside ? newHome('bC1') : null), peopleCommunity: (inside) => (inside ? 'c-C' : null), seesBuilding: () => true,
  });
  for (const role of ['operator', 'supervisor'] as const) {
    callers.push({
      name: `${role} of c-A`, role, login: await loginAs(app, db, role, { communityIds: ['c-A'] }), responderId: null,
      home: (inside) => newHome(inside ? 'bA2' : 'bB1'), peopleCommunity: (inside) => (inside ? 'c-A' : 'c-B'), seesBuilding: (b) => b.startsWith('bA'),
    });
  }
  callers.push({
    name: 'street of s-1', role: 'street', login: await loginAs(app, db, 'street', { streetIds: ['s-1'] }), responderId: null,
    home: (inside) => newHome(inside ? 'bB1' : 'bC1'), peopleCommunity: (inside) => (inside ? 'c-B' : 'c-C'), seesBuilding: (b) => b !== 'bC1',
  });
  callers.push(await responderCaller('grid worker of gA1', 'grid_worker', { gridIds: ['gA1'] },
    (inside) => newHome(inside ? 'bA1' : 'bA2'), (b) => b === 'bA1'));
  callers.push(await responderCaller('building leader of bA2', 'building_leader', { buildingIds: ['bA2'] },
    (inside) => newHome(inside ? 'bA2' : 'bA1'), (b) => b === 'bA2'));
  const buddy = await responderCaller('neighbour buddy', 'neighbour_buddy', {}, async () => null, () => false);
  buddy.home = async (inside) => {
    const id = await newHome('bA1');
    if (inside) await db.pool.query(`UPDATE responders SET household_ids = household_ids || $2::text WHERE id = $1`, [buddy.responderId, id]);
    return id;
  };
  callers.push(buddy);
  // An org specialist has no home of their own: a home is theirs through an alert they were paged for.
  const org = await responderCaller('org specialist (paged)', 'org_specialist', {}, async () => null, () => false);
  org.home = async (inside) => {
    const id = await newHome('bA2');
    if (inside) await notifyResponder(db, await insertAlert(db, { householdId: id, kind: 'fall', state: 'notified' }), org.responderId!);
    return id;
  };
  callers.push(org);
});

afterAll(async () => {
  await app.close();
  redis.disconnect();
  await db.drop();
});

/** What each kind of id-route names, made fresh inside or outside the caller's reach. */
const OBJECTS = {
  household: (c, inside) => c.home(inside),
  alert: async (c, inside) => {
    const home = await c.home(inside);
    return home && insertAlert(db, { householdId: home, kind: 'sos', state: 'notified' });
  },
  device: async (c, inside) => {
    const home = await c.home(inside);
    return home && (await provisionDevice(db.pool, { householdId: home, kind: 'pir' })).deviceId;
  },
  responder: async (c, inside) => {
    const community = c.peopleCommunity(inside);
    return community && newResponder(community);
  },
  roster: async (c, inside) => {
    const community = c.peopleCommunity(inside);
    if (!community) return null;
    const r = await db.pool.query<{ id: number }>(
      `INSERT INTO roster_shifts (responder_id, weekday, starts, ends) VALUES ($1, 1, '08:00', '20:00') RETURNING id`, [await newResponder(community)]);
    return String(r.rows[0]!.id);
  },
  user: async (_c, inside) => (inside ? String((await db.pool.query<{ id: number }>(
    `INSERT INTO users (username, password_hash, role) VALUES ($1, 'x', 'operator') RETURNING id`, [fresh('u')])).rows[0]!.id) : null),
  // A zigbee2mqtt hub in the home, offering one Zigbee device: "<hubId>|<ieee>".
  hub: async (c, inside) => {
    const home = await c.home(inside);
    if (!home) return null;
    const hubId = (await provisionDevice(db.pool, { householdId: home, kind: 'z2m_hub' })).deviceId;
    const ieee = `0x${(++n).toString(16).padStart(16, '0')}`;
    await db.pool.query(`INSERT INTO zigbee_hubs (hub_id) VALUES ($1)`, [hubId]);
    await db.pool.query(
      `INSERT INTO zigbee_devices (hub_id, ieee, friendly_name, first_offered_at, last_offered_at, features) VALUES ($1, $2, $3, now(), now(), '{action}')`,
      [hubId, ieee, fresh('button')]);
    return `${hubId}|${ieee}`;
  },
} as Record<Kind, (c: Caller, inside: boolean) => Promise<string | null>>;

/** A fresh grid (with a building) in a community; the register routes edit and retire them. */
async function newGrid(community: string): Promise<string> {
  const id = fresh(`g-${community}`);
  await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ($1, $2, $1)`, [id, community]);
  return id;
}
async function newBuilding(community: string): Promise<string> {
  const id = fresh(`b-${community}`);
  await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ($1, $2, $1)`, [id, await newGrid(community)]);
  return id;
}
Object.assign(OBJECTS, {
  // Communities are the unit of the dispatch room's scope: c-A is an operator's, c-B is not.
  community: async (c: Caller, inside: boolean) => c.peopleCommunity(inside),
  // A street is in reach through one of its communities; a fresh one with none is nobody's but the admin's.
  street: async (c: Caller, inside: boolean) => {
    if (inside && c.role !== 'admin') return 's-1';
    if (!inside && c.role === 'admin') return null;
    const id = fresh('s');
    await db.pool.query(`INSERT INTO streets (id, name) VALUES ($1, $1)`, [id]);
    return id;
  },
  grid: async (c: Caller, inside: boolean) => { const com = c.peopleCommunity(inside); return com && newGrid(com); },
  building: async (c: Caller, inside: boolean) => { const com = c.peopleCommunity(inside); return com && newBuilding(com); },
  resident: async (c: Caller, inside: boolean) => {
    const home = await c.home(inside);
    return home && String((await db.pool.query<{ id: number }>(`INSERT INTO residents (household_id, name) VALUES ($1, '新住户') RETURNING id`, [home])).rows[0]!.id);
  },
  contact: async (c: Caller, inside: boolean) => {
    const home = await c.home(inside);
    return home && String((await db.pool.query<{ id: number }>(`INSERT INTO contacts (household_id, name, relation, phone) VALUES ($1, '亲属', '女儿', '13900001111') RETURNING id`, [home])).rows[0]!.id);
  },
  // An import job is its uploader's own: anyone else's is "no import".
  import: async (c: Caller, inside: boolean) => {
    const id = crypto.randomUUID();
    await db.pool.query(
      `INSERT INTO register_imports (id, created_by, created_at, file_name, format, content, state, updated_at, report)
       VALUES ($1, $2, now(), 'x.csv', 'csv', '\\x', 'checked', now(), '{"issues":[],"counts":{}}')`, [id, inside ? c.login.username : fresh('someone')]);
    return id;
  },
});

/** The row behind an object, to prove an out-of-scope request changed nothing. */
const ROW: Record<Kind, string> = {
  household: `SELECT to_jsonb(x) FROM households x WHERE id = $1`,
  alert: `SELECT to_jsonb(x) || jsonb_build_object('events', (SELECT count(*) FROM alert_events WHERE alert_id = x.id)) FROM alerts x WHERE id = $1::uuid`,
  device: `SELECT to_jsonb(x) FROM devices x WHERE id = $1`,
  responder: `SELECT to_jsonb(x) FROM responders x WHERE id = $1`,
  roster: `SELECT to_jsonb(x) FROM roster_shifts x WHERE id = $1::bigint`,
  user: `SELECT to_jsonb(x) FROM users x WHERE id = $1::bigint`,
  street: `SELECT to_jsonb(x) FROM streets x WHERE id = $1`,
  community: `SELECT to_jsonb(x) FROM communities x WHERE id = $1`,
  grid: `SELECT to_jsonb(x) FROM grids x WHERE id = $1`,
  building: `SELECT to_jsonb(x) FROM buildings x WHERE id = $1`,
  resident: `SELECT to_jsonb(x) FROM residents x WHERE id = $1::bigint`,
  contact: `SELECT to_jsonb(x) FROM contacts x WHERE id = $1::bigint`,
  import: `SELECT to_jsonb(x) - 'updated_at' FROM register_imports x WHERE id = $1::uuid`,
  hub: `SELECT jsonb_build_object('offer', (SELECT to_jsonb(z) FROM zigbee_devices z WHERE z.hub_id || '|' || z.ieee = $1),
          'hub', (SELECT to_jsonb(h) FROM zigbee_hubs h WHERE h.hub_id = split_part($1, '|', 1)))`,
};

/** The object kind a route's id names, from its path. */
function kindOf(url: string): Kind | undefined {
  if (url.startsWith('/api/v1/hubs/:hubId')) return 'hub';
  const m = /^\/api\/v1\/([a-z-]+)\/:id/.exec(url);
  if (url.startsWith('/api/v1/register/imports/:id')) return 'import';
  const byPath: Record<string, Kind> = {
    alerts: 'alert', households: 'household', devices: 'device', responders: 'responder', rosters: 'roster', users: 'user',
    streets: 'street', communities: 'community', grids: 'grid', buildings: 'building', residents: 'resident', contacts: 'contact',
  };
  return m ? byPath[m[1]!] : undefined;
}

/** A valid body for each changing route, so the request reaches the access check rather than the schema's 400. */
const BODIES: Record<string, object> = {
  'POST /api/v1/alerts/:id/resolve': { outcome: 'false_alarm', note: '电话确认' },
  'POST /api/v1/alerts/:id/cancel': { reason: '误报' },
  'POST /api/v1/alerts/:id/notes': { text: '备注' },
  'POST /api/v1/alerts/:id/decline': { reason: '正在处理另一户' },
  'POST /api/v1/alerts/:id/hand-back': { reason: '车坏了' },
  'POST /api/v1/alerts/:id/dispatch': { responderId: 'r-nobody' },
  'POST /api/v1/alerts/:id/emergency-call': { service: '120' },
  'PATCH /api/v1/households/:id': { notes: '改' },
  'POST /api/v1/households/:id/visits': { kind: 'phone', note: '电话问候' },
  'PUT /api/v1/households/:id/passive': { sensitivity: 'high', awayUntil: null, awayNote: null },
  'PATCH /api/v1/responders/:id': { name: '改名' },
  'POST /api/v1/responders/:id/duty': { onDuty: false },
  'POST /api/v1/responders/:id/position': { position: { x: 10, y: 20 } },
  'PATCH /api/v1/users/:id': { displayName: '改名' },
  'POST /api/v1/hubs/:hubId/zigbee/:ieee/register': { kind: 'sos_button', room: '卧室' },
  'PUT /api/v1/hubs/:hubId/zigbee/:ieee/ack': { preset: 'light' },
  'PATCH /api/v1/hubs/:hubId': { baseTopic: 'z2m-home' },
  'PATCH /api/v1/communities/:id': { address: '改' },
  'PATCH /api/v1/grids/:id': { name: '改名' },
  'PATCH /api/v1/buildings/:id': { x: 12.5, y: 40 },
  'POST /api/v1/households/:id/residents': { name: '新老人', birthYear: 1940 },
  'POST /api/v1/households/:id/contacts': { name: '女儿', relation: '女儿', phone: '13911112222' },
  'PATCH /api/v1/residents/:id': { notes: '改' },
  'PATCH /api/v1/contacts/:id': { priority: 2 },
};

/**
 * Routes with an id in the path. Admin-only routes are left out: an admin reaches everything,
 * so they ask no object-level question (the day one is opened to another role, it lands here).
 */
const idRoutes = (): RouteAccessEntry[] =>
  app.accessTable.filter((e) => e.url.includes('/:') && !e.access.public && e.method !== 'HEAD' && e.url.startsWith('/api/v1/')
    && e.access.roles!.some((r) => r !== 'admin'));

function call(e: RouteAccessEntry, c: Caller, id: string): Promise<LightMyRequestResponse> {
  const [first, ieee] = id.split('|') as [string, string | undefined];
  const url = e.url.replace(':id', encodeURIComponent(first)).replace(':hubId', encodeURIComponent(first)).replace(':ieee', ieee ?? '');
  const payload = ['POST', 'PATCH', 'PUT'].includes(e.method) ? BODIES[`${e.method} ${e.url}`] ?? {} : undefined;
  return app.inject({ method: e.method as 'GET', url, headers: c.login.bearer, ...(payload ? { payload } : {}) });
}

describe('every route with an object id', () => {
  test('names an object this matrix knows', () => {
    const unknown = idRoutes().filter((e) => !kindOf(e.url)).map((e) => `${e.method} ${e.url}`);
    expect(unknown, 'add the route\'s object to kindOf/OBJECTS').toEqual([]);
    expect(idRoutes().length).toBeGreaterThanOrEqual(15);
    // Every kind of object has routes in the matrix (the register's included: issue 17).
    const kinds = new Set(idRoutes().map((e) => kindOf(e.url)));
    const register: Kind[] = ['household', 'street', 'community', 'grid', 'building', 'resident', 'contact', 'import'];
    expect(register.filter((k) => !kinds.has(k))).toEqual([]);
  });

  test('in scope → through (never 404); out of scope → 404 "no …", the object unchanged; for every caller the route admits', async () => {
    const failures: string[] = [];
    let inside = 0, outside = 0;
    for (const e of idRoutes()) {
      const kind = kindOf(e.url)!;
      for (const c of callers.filter((x) => e.access.roles!.includes(x.role))) {
        const tag = `${e.method} ${e.url} as ${c.name}`;
        const inId = await OBJECTS[kind](c, true);
        if (inId) {
          const res = await call(e, c, inId);
          inside++;
          if (res.statusCode === 404 || res.statusCode >= 500) failures.push(`${tag} (in scope) → ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
        const outId = await OBJECTS[kind](c, false);
        if (outId) {
          const before = (await db.pool.query(ROW[kind], [outId])).rows[0];
          const res = await call(e, c, outId);
          outside++;
          const after = (await db.pool.query(ROW[kind], [outId])).rows[0];
          if (res.statusCode !== 404) failures.push(`${tag} (out of scope) → ${res.statusCode} ${res.body.slice(0, 120)}`);
          else if (!/^no [a-z0-9 ]+ /.test(res.json().error.message)) failures.push(`${tag} (out of scope) → 404 that tells more than "no …": ${res.body}`);
          if (JSON.stringify(before) !== JSON.stringify(after)) failures.push(`${tag} (out of scope) changed the ${kind}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(inside).toBeGreaterThanOrEqual(60);
    expect(outside).toBeGreaterThanOrEqual(50);
  });

  test('objects named in a body (a device\'s home, a roster\'s responder, a responder\'s community) follow the same rule', async () => {
    for (const c of callers.filter((x) => x.role !== 'responder' && x.role !== 'street')) {
      const outHome = await c.home(false);
      if (outHome) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/devices', headers: c.login.bearer, payload: { householdId: outHome, kind: 'pir' } });
        // Only admins provision, and an admin's scope has no outside: the role gate answers first.
        expect(res.statusCode, c.name).toBe(403);
      }
      const outCommunity = c.peopleCommunity(false);
      if (outCommunity) {
        const outResponder = await newResponder(outCommunity);
        const roster = await app.inject({ method: 'POST', url: '/api/v1/rosters', headers: c.login.bearer, payload: { responderId: outResponder, weekday: 2, starts: '08:00', ends: '20:00' } });
        expect(roster.statusCode, c.name).toBe(400);
        expect(roster.json().error.code).toBe('unknown_responder');
        const created = await app.inject({ method: 'POST', url: '/api/v1/responders', headers: c.login.bearer, payload: { name: '新人', role: 'grid_worker', phone: '13700002222', communityId: outCommunity } });
        expect(created.statusCode, c.name).toBe(400);
        expect(created.json().error.code).toBe('unknown_place');
        const gridElsewhere = await app.inject({ method: 'POST', url: '/api/v1/responders', headers: c.login.bearer, payload: { name: '新人', role: 'grid_worker', phone: '13700002222', communityId: 'c-A', gridIds: ['gB1'] } });
        expect(gridElsewhere.json().error.code, c.name).toBe('unknown_place');
      }
    }
  });
});

/** Which list items belong to whom: the fact the scope is judged by, per list route. */
const LISTS: Record<string, { query?: string; inScope: (c: Caller, item: Record<string, unknown>) => Promise<boolean> }> = {
  '/api/v1/alerts': { inScope: (c, i) => reaches(c, String(i.householdId)) },
  '/api/v1/households': { inScope: (c, i) => reaches(c, String(i.id)) },
  '/api/v1/devices': { inScope: (c, i) => reaches(c, String(i.householdId)) },
  '/api/v1/responders': { inScope: async (c, i) => peopleOf(c).includes(String(i.communityId)) },
  '/api/v1/rosters': { inScope: async (c, i) => peopleOf(c).includes(await communityOfResponder(String(i.responderId))) || i.responderId === c.responderId },
  '/api/v1/users': { inScope: async () => true }, // admins only; an admin reaches everyone
  '/api/v1/audit': { inScope: async (c, i) => c.role === 'admin' || auditTargetInScope(c, String(i.target)) },
  '/api/v1/zigbee/devices': { inScope: (c, i) => reaches(c, String(i.hubHouseholdId)) },
  '/api/v1/streets': { inScope: async (c, i) => c.role === 'admin' || (await communitiesOfStreet(String(i.id))).some((x) => peopleOf(c).includes(x)) },
  '/api/v1/communities': { inScope: async (c, i) => c.role === 'admin' || peopleOf(c).includes(String(i.id)) },
  '/api/v1/grids': { inScope: async (c, i) => c.role === 'admin' || peopleOf(c).includes(String(i.communityId)) },
  '/api/v1/buildings': { inScope: async (c, i) => c.role === 'admin' || peopleOf(c).includes(String(i.communityId)) },
  '/api/v1/register/imports': { inScope: async (c, i) => i.createdBy === c.login.username },
  '/api/v1/overview/communities': { inScope: async (c, i) => c.role === 'admin' || peopleOf(c).includes(String(i.communityId)) },
};
async function communitiesOfStreet(id: string) {
  return (await db.pool.query<{ id: string }>(`SELECT id FROM communities WHERE street_id = $1`, [id])).rows.map((r) => r.id);
}

const peopleOf = (c: Caller) => [c.peopleCommunity(true)!, ...(c.role === 'admin' ? ['c-A', 'c-B', 'c-C'] : c.role === 'street' ? ['c-A'] : [])];
async function communityOfResponder(id: string) {
  return (await db.pool.query<{ c: string }>(`SELECT community_id AS c FROM responders WHERE id = $1`, [id])).rows[0]?.c ?? '';
}
/** Whether the caller reaches a home: its building, or (responders) an alert of it naming them. */
async function reaches(c: Caller, householdId: string): Promise<boolean> {
  const r = await db.pool.query<{ building: string; buddy: boolean; paged: boolean }>(
    `SELECT h.building_id AS building,
            EXISTS (SELECT 1 FROM responders r WHERE r.id = $2 AND h.id = ANY(r.household_ids) AND r.role = 'neighbour_buddy') AS buddy,
            EXISTS (SELECT 1 FROM alerts a JOIN notifications n ON n.alert_id = a.id WHERE a.household_id = h.id AND n.responder_id = $2 AND a.closed_at IS NULL) AS paged
       FROM households h WHERE h.id = $1`, [householdId, c.responderId]);
  const row = r.rows[0];
  return row !== undefined && (c.seesBuilding(row.building) || row.buddy || row.paged);
}
async function auditTargetInScope(c: Caller, target: string): Promise<boolean> {
  const home = (await db.pool.query<{ h: string }>(
    `SELECT id AS h FROM households WHERE id = $1 UNION SELECT household_id FROM alerts WHERE id::text = $1 UNION SELECT household_id FROM devices WHERE id = $1`, [target])).rows[0]?.h;
  if (home) return reaches(c, home);
  return peopleOf(c).includes(await communityOfResponder(target));
}

describe('every list', () => {
  test('is known to this matrix', () => {
    const lists = app.accessTable.filter((e) => e.method === 'GET' && e.url.startsWith('/api/v1/') && !e.url.includes(':') && isPage(e.url));
    expect(lists.map((e) => e.url).filter((u) => !LISTS[u]), 'add the list to LISTS').toEqual([]);
  });

  test('returns no item outside the caller\'s scope, and does return the ones inside it', async () => {
    // Something inside and outside everyone's reach, of every kind.
    for (const c of callers) {
      for (const inside of [true, false]) {
        await OBJECTS.alert(c, inside);
        await OBJECTS.device(c, inside);
        await OBJECTS.roster(c, inside);
        await OBJECTS.hub(c, inside);
        await OBJECTS.import(c, inside);
      }
    }
    await db.pool.query(`INSERT INTO audit_log (action, target) SELECT 'household.read', id FROM households`);
    const failures: string[] = [];
    for (const [url, list] of Object.entries(LISTS)) {
      const route = app.accessTable.find((e) => e.method === 'GET' && e.url === url)!;
      for (const c of callers.filter((x) => route.access.roles!.includes(x.role))) {
        const res = await app.inject({ url: `${url}?limit=1000`, headers: c.login.bearer });
        if (res.statusCode !== 200) { failures.push(`${url} as ${c.name} → ${res.statusCode}`); continue; }
        const items = res.json().items as Array<Record<string, unknown>>;
        let own = 0;
        for (const item of items) {
          if (await list.inScope(c, item)) own++;
          else failures.push(`${url} as ${c.name}: out-of-scope item ${JSON.stringify(item).slice(0, 140)}`);
        }
        // A responder's roster list is their own shifts, and these responders have none.
        const expectsSome = !(url === '/api/v1/rosters' && c.role === 'responder');
        if (expectsSome && own === 0) failures.push(`${url} as ${c.name}: nothing in scope was listed`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('the SLA report counts only the caller\'s communities', async () => {
    const byGrid = async (c: Caller) => (await app.inject({ url: '/api/v1/reports/sla?groupBy=grid', headers: c.login.bearer })).json().items.map((r: { key: string }) => r.key).sort();
    const [admin, operator, , street] = callers;
    expect(await byGrid(admin!)).toEqual(['gA1', 'gA2', 'gB1', 'gC1']);
    expect(await byGrid(operator!)).toEqual(['gA1', 'gA2']);
    expect(await byGrid(street!)).toEqual(['gA1', 'gA2', 'gB1']);
    const csv = (await app.inject({ url: '/api/v1/reports/sla?groupBy=grid&format=csv', headers: operator!.login.bearer })).body;
    expect(csv).not.toContain('gB1');
    expect(csv).not.toContain('gC1');
  });
});

function isPage(url: string): boolean {
  return ['/alerts', '/households', '/devices', '/responders', '/rosters', '/users', '/audit', '/zigbee/devices',
    '/streets', '/communities', '/grids', '/buildings', '/register/imports', '/overview/communities'].some((p) => url === `/api/v1${p}`);
}

describe('the live feed', () => {
  test('delivers each socket the events of its scope and none outside it', async () => {
    const plan: Array<{ who: Caller; inside: boolean; event: UnsequencedLiveEvent }> = [];
    for (const c of callers) {
      for (const inside of [false, true]) {
        const home = await c.home(inside);
        if (!home) continue;
        const alertId = await insertAlert(db, { householdId: home, kind: 'smoke', state: 'open' });
        const at = new Date().toISOString();
        plan.push({ who: c, inside, event: { type: 'household.status', data: { householdId: home, liveAlerts: 1 } } });
        plan.push({ who: c, inside, event: { type: 'alert.updated', data: { id: alertId, householdId: home, kind: 'smoke', severity: 'critical', state: 'open', level: 0, firstSignalAt: at } } });
        plan.push({ who: c, inside, event: { type: 'device.status', data: { deviceId: fresh('d'), householdId: home, online: false } } });
        const community = c.peopleCommunity(inside);
        if (community) plan.push({ who: c, inside, event: { type: 'responder.status', data: { responderId: await newResponder(community), onDuty: true } } });
      }
    }
    const sockets = await Promise.all(callers.map(async (c) => {
      const ws = new WebSocket(`${base}/api/v1/live`, { headers: c.login.bearer });
      const got: Array<{ seq: number; type: string; data: Record<string, unknown> }> = [];
      ws.on('message', (raw) => got.push(JSON.parse(String(raw))));
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      await waitFor(() => got.find((m) => m.type === 'snapshot'), { what: `${c.name} snapshot` });
      return { c, ws, got };
    }));
    const appended = await appendLiveEvents(db.pool, plan.map((p) => p.event));
    publishLive(redis, appended as LiveEvent[]);
    const failures: string[] = [];
    for (const s of sockets) {
      // The batch went out as one publish and is filtered for each socket in one pass: once its
      // in-scope events are here, every event of the batch has been judged for this socket.
      const mine = appended.filter((_, i) => plan[i]!.who === s.c && plan[i]!.inside);
      await waitFor(() => mine.every((e) => s.got.some((m) => m.seq === e.seq)) || undefined, { what: `${s.c.name}: its in-scope events`, timeoutMs: 5000 });
      for (const [i, e] of appended.entries()) {
        const p = plan[i]!;
        const delivered = s.got.some((m) => m.seq === e.seq);
        const shouldSee = p.who === s.c ? p.inside : undefined;
        if (shouldSee === false && delivered) failures.push(`${s.c.name} got out-of-scope ${e.type} ${JSON.stringify(e.data).slice(0, 80)}`);
      }
      s.ws.close();
    }
    expect(failures).toEqual([]);
  });
});

describe('an open live socket follows its session', () => {
  test('a narrowed scope applies to the feed without a reconnect, and a disabled account is cut', async () => {
    const rid = await newResponder('c-A', 'grid_worker', { gridIds: ['gA1'] });
    const login = await loginAs(app, db, 'responder', { responderId: rid });
    const ws = new WebSocket(`${base}/api/v1/live`, { headers: login.bearer });
    const got: Array<{ seq: number; type: string }> = [];
    ws.on('message', (raw) => got.push(JSON.parse(String(raw))));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    await waitFor(() => got.find((m) => m.type === 'snapshot'), { what: 'snapshot' });
    const home = await newHome('bA1');
    const other = await newHome('bA2');
    const colleague = await newResponder('c-A');
    /** Old grid, new grid, then a marker both scopes see: once the marker is here, the other two were judged. */
    const round = async () => {
      const events = await appendLiveEvents(db.pool, [
        { type: 'household.status', data: { householdId: home, liveAlerts: 0 } },
        { type: 'household.status', data: { householdId: other, liveAlerts: 0 } },
        { type: 'responder.status', data: { responderId: colleague, onDuty: true } },
      ]);
      publishLive(redis, events as LiveEvent[]);
      const [oldGrid, newGrid, marker] = events.map((e) => e.seq) as [number, number, number];
      await waitFor(() => got.some((m) => m.seq === marker) || undefined, { what: 'the marker' });
      return { oldGrid: got.some((m) => m.seq === oldGrid), newGrid: got.some((m) => m.seq === newGrid) };
    };
    expect(await round()).toEqual({ oldGrid: true, newGrid: false });
    // Moved to another grid: a later re-read of the session narrows the open socket.
    await db.pool.query(`UPDATE responders SET grid_ids = '{gA2}' WHERE id = $1`, [rid]);
    await waitFor(async () => {
      const r = await round();
      return r.oldGrid ? undefined : r;
    }, { what: 'the old grid to leave the feed', intervalMs: 100 });
    expect(await round()).toEqual({ oldGrid: false, newGrid: true });
    // Disabled: the socket is closed with 4001.
    await db.pool.query(`UPDATE users SET disabled = true WHERE username = $1`, [login.username]);
    expect(await closed).toBe(4001);
  });
});

describe('the register (issue 17)', () => {
  test('an export holds only the caller\'s communities\' homes; the street office exports nothing (personal data)', async () => {
    const [admin, operator, , street] = callers;
    const csv = async (c: Caller) => app.inject({ url: '/api/v1/register/export?format=csv', headers: c.login.bearer });
    const own = (await csv(operator!)).rawPayload.toString('utf8');
    expect(own).toContain(',bA1,');
    expect(own).not.toContain(',bB1,');
    expect(own).not.toContain(',bC1,');
    const all = (await csv(admin!)).rawPayload.toString('utf8');
    expect(all).toContain(',bB1,');
    expect((await csv(street!)).statusCode).toBe(403);
  });

  test('the street office reads both of its communities\' registers and changes neither', async () => {
    const street = callers.find((c) => c.role === 'street')!;
    const read = (url: string) => app.inject({ url, headers: street.login.bearer });
    expect((await read('/api/v1/communities/c-A')).statusCode).toBe(200);
    expect((await read('/api/v1/communities/c-B')).statusCode).toBe(200);
    expect((await read('/api/v1/grids?communityId=c-B')).json().total).toBeGreaterThan(0);
    const before = (await db.pool.query(`SELECT to_jsonb(c) AS c FROM communities c WHERE id IN ('c-A', 'c-B') ORDER BY id`)).rows;
    const grids = (await db.pool.query(`SELECT count(*)::int AS n FROM grids`)).rows[0].n;
    for (const [method, url, payload] of [
      ['PATCH', '/api/v1/communities/c-A', { name: 'x' }], ['POST', '/api/v1/grids', { communityId: 'c-B', name: 'x' }],
      ['POST', '/api/v1/households', { buildingId: 'bB1', unit: 'x', address: 'y' }], ['POST', '/api/v1/grids/gA1/retire', undefined],
      ['POST', '/api/v1/register/imports', undefined],
    ] as const) {
      const res = await app.inject({ method, url, headers: street.login.bearer, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await db.pool.query(`SELECT to_jsonb(c) AS c FROM communities c WHERE id IN ('c-A', 'c-B') ORDER BY id`)).rows).toEqual(before);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM grids`)).rows[0].n).toBe(grids);
  });
});
