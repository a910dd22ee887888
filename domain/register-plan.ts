import type { LivingSituation, Gender } from './register-values.js';
import { headerOf, type SheetHousehold, type SheetIssue } from './register-sheet.js';

/**
 * What an import would change (issue 17 item 2): the sheet's households against the register as
 * it is. Places are found by name (community → grid → building) and households by their code
 * within the community, so a second import of the same file changes nothing and an edited file
 * changes only what was edited. Residents of a household are matched by name, contacts by name
 * and phone; the file is the truth for the households it lists (a resident no longer listed is
 * retired, a contact no longer listed is removed). Pure: the service loads the snapshot and
 * applies the changes in one transaction.
 */

export interface SnapshotCommunity { id: string; name: string; streetId: string | null; retired: boolean }
export interface SnapshotGrid { id: string; communityId: string; name: string; retired: boolean }
export interface SnapshotBuilding { id: string; gridId: string; name: string; address: string | null; x: number | null; y: number | null; lat: number | null; lng: number | null; retired: boolean }
export interface HouseholdFields {
  buildingId: string; unit: string; address: string; phone: string | null; livingSituation: LivingSituation;
  accessNotes: string | null; notes: string | null; retired: boolean;
}
export interface SnapshotHousehold extends HouseholdFields { id: string; communityId: string; code: string }
export interface ResidentFields { name: string; gender: Gender | null; birthYear: number | null; phone: string | null; conditions: string[]; notes: string | null }
export interface SnapshotResident extends ResidentFields { id: number; householdId: string }
export interface ContactFields { name: string; relation: string; phone: string; priority: number }
export interface SnapshotContact extends ContactFields { id: number; householdId: string }

export interface RegisterSnapshot {
  streets: Array<{ id: string; name: string }>;
  communities: SnapshotCommunity[];
  grids: SnapshotGrid[];
  buildings: SnapshotBuilding[];
  households: SnapshotHousehold[];
  residents: SnapshotResident[];
  contacts: SnapshotContact[];
}

export interface PlanOptions {
  /** Admins create communities (and streets) the file names; others import into existing ones. */
  mayCreateCommunities: boolean;
  /** Communities the caller may change; null = all. */
  communityIds: readonly string[] | null;
  newId: (prefix: 's' | 'c' | 'g' | 'b' | 'h') => string;
}

export interface Change<T> { id: string; before: T; after: T }
type BuildingDetails = Pick<SnapshotBuilding, 'address' | 'x' | 'y' | 'lat' | 'lng'>;

export interface RegisterChanges {
  issues: SheetIssue[];
  streets: Array<{ id: string; name: string }>;
  communities: Array<{ id: string; name: string; streetId: string | null }>;
  communityStreets: Array<Change<{ streetId: string | null }>>;
  grids: Array<{ id: string; communityId: string; name: string }>;
  buildings: Array<{ id: string; gridId: string; name: string } & BuildingDetails>;
  buildingUpdates: Array<Change<BuildingDetails>>;
  households: Array<{ id: string; code: string } & HouseholdFields>;
  householdUpdates: Array<Change<HouseholdFields>>;
  residents: Array<{ householdId: string } & ResidentFields>;
  residentUpdates: Array<{ id: number; householdId: string; before: ResidentFields; after: ResidentFields }>;
  residentRetires: Array<{ id: number; householdId: string; name: string }>;
  contacts: Array<{ householdId: string } & ContactFields>;
  contactUpdates: Array<{ id: number; householdId: string; before: ContactFields; after: ContactFields }>;
  contactRemovals: Array<{ id: number; householdId: string } & ContactFields>;
  /** Households of the file that are already exactly as the file says. */
  unchangedHouseholds: number;
}

export interface ChangeCounts {
  streets: number; communities: number; grids: number; buildings: number; buildingsUpdated: number;
  households: number; householdsUpdated: number; householdsUnchanged: number;
  residents: number; residentsUpdated: number; residentsRetired: number;
  contacts: number; contactsUpdated: number; contactsRemoved: number;
}

export function countChanges(c: RegisterChanges): ChangeCounts {
  return {
    streets: c.streets.length, communities: c.communities.length + c.communityStreets.length, grids: c.grids.length,
    buildings: c.buildings.length, buildingsUpdated: c.buildingUpdates.length,
    households: c.households.length, householdsUpdated: c.householdUpdates.length, householdsUnchanged: c.unchangedHouseholds,
    residents: c.residents.length, residentsUpdated: c.residentUpdates.length, residentsRetired: c.residentRetires.length,
    contacts: c.contacts.length, contactsUpdated: c.contactUpdates.length, contactsRemoved: c.contactRemovals.length,
  };
}

/** True when applying would write nothing. */
export function isNoChange(c: RegisterChanges): boolean {
  const n = countChanges(c);
  return Object.entries(n).every(([k, v]) => k === 'householdsUnchanged' || v === 0);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const key = (...parts: string[]) => parts.join('\u0000');

export function planRegisterChanges(households: readonly SheetHousehold[], snap: RegisterSnapshot, opts: PlanOptions): RegisterChanges {
  const out: RegisterChanges = {
    issues: [], streets: [], communities: [], communityStreets: [], grids: [], buildings: [], buildingUpdates: [],
    households: [], householdUpdates: [], residents: [], residentUpdates: [], residentRetires: [],
    contacts: [], contactUpdates: [], contactRemovals: [], unchangedHouseholds: 0,
  };
  const allowed = (communityId: string) => opts.communityIds === null || opts.communityIds.includes(communityId);

  const streetByName = new Map(snap.streets.map((s) => [s.name, s.id]));
  const communityByName = new Map<string, SnapshotCommunity>();
  for (const c of snap.communities) if (allowed(c.id) && (!communityByName.has(c.name) || communityByName.get(c.name)!.retired)) communityByName.set(c.name, c);
  const gridByName = new Map<string, SnapshotGrid>();
  for (const g of snap.grids) if (!gridByName.has(key(g.communityId, g.name)) || gridByName.get(key(g.communityId, g.name))!.retired) gridByName.set(key(g.communityId, g.name), g);
  const buildingByName = new Map<string, SnapshotBuilding>();
  for (const b of snap.buildings) if (!buildingByName.has(key(b.gridId, b.name)) || buildingByName.get(key(b.gridId, b.name))!.retired) buildingByName.set(key(b.gridId, b.name), b);
  const householdByCode = new Map(snap.households.map((h) => [key(h.communityId, h.code), h]));
  const residentsOf = groupBy(snap.residents, (r) => r.householdId);
  const contactsOf = groupBy(snap.contacts, (c) => c.householdId);
  const buildingTouched = new Set<string>();
  const streetChanged = new Set<string>();

  const streetId = (name: string | null): string | null | undefined => {
    if (name === null || !opts.mayCreateCommunities) return undefined;
    let id = streetByName.get(name);
    if (!id) { id = opts.newId('s'); streetByName.set(name, id); out.streets.push({ id, name }); }
    return id;
  };

  for (const h of households) {
    const row = h.rows[0]!;
    // Community: existing (in the caller's scope) or, for an admin, created.
    let community = communityByName.get(h.community);
    if (community?.retired) { out.issues.push({ row, column: headerOf('community'), code: 'place_retired', value: h.community }); continue; }
    const sid = streetId(h.street);
    if (!community) {
      if (!opts.mayCreateCommunities) { out.issues.push({ row, column: headerOf('community'), code: 'unknown_community', value: h.community }); continue; }
      community = { id: opts.newId('c'), name: h.community, streetId: sid ?? null, retired: false };
      communityByName.set(h.community, community);
      out.communities.push({ id: community.id, name: community.name, streetId: community.streetId });
    } else if (sid !== undefined && sid !== community.streetId && !streetChanged.has(community.id)) {
      streetChanged.add(community.id);
      out.communityStreets.push({ id: community.id, before: { streetId: community.streetId }, after: { streetId: sid } });
      community.streetId = sid;
    }
    let grid = gridByName.get(key(community.id, h.grid));
    if (grid?.retired) { out.issues.push({ row, column: headerOf('grid'), code: 'place_retired', value: h.grid }); continue; }
    if (!grid) {
      grid = { id: opts.newId('g'), communityId: community.id, name: h.grid, retired: false };
      gridByName.set(key(community.id, h.grid), grid);
      out.grids.push({ id: grid.id, communityId: grid.communityId, name: grid.name });
    }
    let building = buildingByName.get(key(grid.id, h.building));
    if (building?.retired) { out.issues.push({ row, column: headerOf('building'), code: 'place_retired', value: h.building }); continue; }
    const d = h.buildingDetails;
    if (!building) {
      building = { id: opts.newId('b'), gridId: grid.id, name: h.building, address: d.address, x: d.x, y: d.y, lat: d.lat, lng: d.lng, retired: false };
      buildingByName.set(key(grid.id, h.building), building);
      buildingTouched.add(building.id);
      out.buildings.push({ id: building.id, gridId: grid.id, name: h.building, address: d.address, x: d.x, y: d.y, lat: d.lat, lng: d.lng });
    } else if (!buildingTouched.has(building.id)) {
      // The first household of a building that gives its details decides them; blank = as it is.
      const before: BuildingDetails = { address: building.address, x: building.x, y: building.y, lat: building.lat, lng: building.lng };
      const after: BuildingDetails = { address: d.address ?? before.address, x: d.x ?? before.x, y: d.y ?? before.y, lat: d.lat ?? before.lat, lng: d.lng ?? before.lng };
      if (Object.values(d).some((x) => x !== null)) buildingTouched.add(building.id);
      if (!same(before, after)) { out.buildingUpdates.push({ id: building.id, before, after }); Object.assign(building, after); }
    }

    const fields: HouseholdFields = {
      buildingId: building.id, unit: h.unit, address: h.address, phone: h.phone, livingSituation: h.livingSituation,
      accessNotes: h.accessNotes, notes: h.notes, retired: false,
    };
    const existing = householdByCode.get(key(community.id, h.code));
    let householdId: string;
    let changed = false;
    if (!existing) {
      householdId = opts.newId('h');
      out.households.push({ id: householdId, code: h.code, ...fields });
      changed = true;
    } else {
      householdId = existing.id;
      const before: HouseholdFields = {
        buildingId: existing.buildingId, unit: existing.unit, address: existing.address, phone: existing.phone,
        livingSituation: existing.livingSituation, accessNotes: existing.accessNotes, notes: existing.notes, retired: existing.retired,
      };
      if (!same(before, fields)) { out.householdUpdates.push({ id: householdId, before, after: fields }); changed = true; }
    }

    // Residents by name.
    const oldResidents = new Map((residentsOf.get(householdId) ?? []).map((r) => [r.name, r]));
    for (const r of h.residents) {
      const after: ResidentFields = { name: r.name, gender: r.gender, birthYear: r.birthYear, phone: r.phone, conditions: r.conditions, notes: r.notes };
      const old = oldResidents.get(r.name);
      if (!old) { out.residents.push({ householdId, ...after }); changed = true; continue; }
      oldResidents.delete(r.name);
      const before: ResidentFields = { name: old.name, gender: old.gender, birthYear: old.birthYear, phone: old.phone, conditions: old.conditions, notes: old.notes };
      if (!same(before, after)) { out.residentUpdates.push({ id: old.id, householdId, before, after }); changed = true; }
    }
    for (const gone of oldResidents.values()) { out.residentRetires.push({ id: gone.id, householdId, name: gone.name }); changed = true; }

    // Contacts by name and phone.
    const oldContacts = new Map((contactsOf.get(householdId) ?? []).map((c) => [key(c.name, c.phone), c]));
    for (const c of h.contacts) {
      const after: ContactFields = { name: c.name, relation: c.relation, phone: c.phone, priority: c.priority };
      const old = oldContacts.get(key(c.name, c.phone));
      if (!old) { out.contacts.push({ householdId, ...after }); changed = true; continue; }
      oldContacts.delete(key(c.name, c.phone));
      const before: ContactFields = { name: old.name, relation: old.relation, phone: old.phone, priority: old.priority };
      if (!same(before, after)) { out.contactUpdates.push({ id: old.id, householdId, before, after }); changed = true; }
    }
    for (const gone of oldContacts.values()) {
      out.contactRemovals.push({ id: gone.id, householdId, name: gone.name, relation: gone.relation, phone: gone.phone, priority: gone.priority });
      changed = true;
    }
    if (!changed) out.unchangedHouseholds++;
  }
  return out;
}

function groupBy<T>(rows: readonly T[], by: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = by(r);
    const list = m.get(k);
    if (list) list.push(r); else m.set(k, [r]);
  }
  return m;
}
