import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ResponderRole } from '../../domain/roster.js';
import type { DeviceCredential } from '../../domain/device-credentials.js';
import { readDemoDevices } from '../../store/demo-seed/demo-files.js';
import { createUser } from '../../store/users-repository.js';
import type { SimHomeSpec } from '../../simulators/day/homes.js';
import type { PhoneAccount } from '../../simulators/day/phones.js';
import { responderProfile, type ResponderProfile } from '../../simulators/day/responder-model.js';
import { floorOf, sitePlan, type Point } from '../../simulators/day/site-plan.js';
import type { SimHome } from '../../simulators/day/incident-plan.js';

/** The community the simulated day plays in, read from the seeded database. */
export interface DayWorld {
  homes: SimHomeSpec[];
  incidentHomes: SimHome[];
  profiles: Map<string, ResponderProfile>;
  accounts: PhoneAccount[];
  homeAt: (householdId: string) => { point: Point; floor: number } | undefined;
  gridOf: (householdId: string) => string | undefined;
}

/** Roles that may be paged and go to a door; the dispatch room's operators and admins stay at their desks. */
const FIELD_ROLES: ReadonlySet<ResponderRole> = new Set(['grid_worker', 'org_specialist', 'property_duty', 'supervisor', 'building_leader', 'neighbour_buddy']);

export async function loadDayWorld(pool: pg.Pool, dataDir: string, seed: number): Promise<DayWorld> {
  const buildings = (await pool.query<{ id: string; gridId: string; communityId: string }>(
    `SELECT b.id, b.grid_id AS "gridId", g.community_id AS "communityId" FROM buildings b JOIN grids g ON g.id = b.grid_id`)).rows;
  const plan = sitePlan(buildings);
  const households = (await pool.query<{ id: string; buildingId: string; unit: string }>(
    `SELECT id, building_id AS "buildingId", unit FROM households ORDER BY id`)).rows;
  const gridOfBuilding = new Map(buildings.map((b) => [b.id, b.gridId]));
  const gridOf = new Map(households.map((h) => [h.id, gridOfBuilding.get(h.buildingId)]));
  const home = new Map(households.map((h) => [h.id, { point: plan.get(h.buildingId) ?? { x: 0, y: 0 }, floor: floorOf(h.unit) }]));

  const credentials = await readDemoDevices(dataDir);
  const byHome = new Map<string, DeviceCredential[]>();
  for (const c of credentials) byHome.set(c.householdId, [...(byHome.get(c.householdId) ?? []), c]);
  const homes = [...byHome].map(([householdId, creds]) => ({ householdId, credentials: creds })).sort((a, b) => a.householdId.localeCompare(b.householdId));

  const responders = (await pool.query<{ id: string; role: ResponderRole; communityId: string; gridIds: string[]; buildingIds: string[] }>(
    `SELECT id, role, community_id AS "communityId", grid_ids AS "gridIds", building_ids AS "buildingIds" FROM responders WHERE active ORDER BY id`)).rows;
  const places = {
    building: (id: string) => plan.get(id),
    gridBuildings: (gridId: string) => buildings.filter((b) => b.gridId === gridId).map((b) => plan.get(b.id)!),
    communityBuildings: (communityId: string) => buildings.filter((b) => b.communityId === communityId).map((b) => plan.get(b.id)!),
  };
  const profiles = new Map(responders.filter((r) => FIELD_ROLES.has(r.role)).map((r) => [r.id, responderProfile(r, places)]));
  await registerPositions(pool, plan, profiles);
  const accounts = await phoneAccounts(pool, [...profiles.keys()], seed);

  return {
    homes,
    incidentHomes: homes.map((h) => ({ id: h.householdId, devices: h.credentials.map((c) => ({ id: c.deviceId, kind: c.kind, room: c.room ?? null })) })),
    profiles, accounts, homeAt: (id) => home.get(id), gridOf: (id) => gridOf.get(id),
  };
}

/**
 * What the community would have entered in the register (issue 15): each building's place on
 * the site plan, each responder's base (the same point the simulated person starts from) and
 * whether they walk or cycle. Buddies and building leaders opt in as night first-on-scene
 * neighbours (邻里守望). The dispatcher knows the base only, not where a person happens to be.
 */
async function registerPositions(pool: pg.Pool, plan: Map<string, Point>, profiles: Map<string, ResponderProfile>): Promise<void> {
  const b = [...plan];
  await pool.query(`UPDATE buildings SET x_m = u.x, y_m = u.y FROM unnest($1::text[], $2::float8[], $3::float8[]) AS u(id, x, y) WHERE buildings.id = u.id`,
    [b.map(([id]) => id), b.map(([, p]) => p.x), b.map(([, p]) => p.y)]);
  const r = [...profiles.values()];
  await pool.query(
    `UPDATE responders SET base_x_m = u.x, base_y_m = u.y, travel_mode = u.mode,
            night_first_on_scene = responders.role IN ('neighbour_buddy', 'building_leader')
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[]) AS u(id, x, y, mode) WHERE responders.id = u.id`,
    [r.map((p) => p.id), r.map((p) => p.base.x), r.map((p) => p.base.y), r.map((p) => p.mode)]);
}

/** A console login per field responder, as each would have on their phone. */
async function phoneAccounts(pool: pg.Pool, responderIds: readonly string[], seed: number): Promise<PhoneAccount[]> {
  const out: PhoneAccount[] = [];
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < responderIds.length; k = next++) {
      const responderId = responderIds[k]!;
      const account = { responderId, username: `sim-${seed}-${responderId}`, password: randomBytes(12).toString('base64url') };
      await createUser(pool, { username: account.username, password: account.password, role: 'responder', responderId });
      out.push(account);
    }
  };
  // scrypt runs on libuv's thread pool: four at a time keeps it busy without queueing all.
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}
