import type { Responder, ResponderRole, RosterRow } from '../domain/roster.js';
import type { CommunityContact, FamilyContact, HouseholdPlace } from '../domain/routing.js';
import type { Queryable } from './db.js';

/**
 * What routing needs from the database, as the pure domain types (domain/roster.ts,
 * domain/routing.ts): the household's place, its family contacts, the community's emergency
 * contact, and the community's responders and roster rows.
 */
export interface RoutingContext {
  household: HouseholdPlace & { communityId: string; unit: string; address: string; buildingName: string };
  familyContacts: FamilyContact[];
  communityEmergencyContact: CommunityContact | null;
}

export async function loadRoutingContext(db: Queryable, householdId: string): Promise<RoutingContext | null> {
  const h = await db.query<RoutingContext['household'] & { communityName: string; emergencyPhone: string | null }>(
    `SELECT h.id, b.grid_id AS "gridId", h.building_id AS "buildingId", g.community_id AS "communityId",
            h.unit, h.address, b.name AS "buildingName", c.name AS "communityName", c.emergency_phone AS "emergencyPhone"
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
       JOIN communities c ON c.id = g.community_id
      WHERE h.id = $1`, [householdId]);
  const row = h.rows[0];
  if (!row) return null;
  const contacts = await db.query<FamilyContact>(
    `SELECT id, name, relation, phone, priority FROM contacts WHERE household_id = $1 ORDER BY priority, id`, [householdId]);
  const { communityName, emergencyPhone, ...household } = row;
  return {
    household,
    familyContacts: contacts.rows,
    communityEmergencyContact: emergencyPhone ? { name: `${communityName}应急电话`, phone: emergencyPhone } : null,
  };
}

export interface ResponderRecord extends Responder { name: string; phone: string; communityId: string }

export async function loadResponders(db: Queryable, communityId?: string): Promise<ResponderRecord[]> {
  const r = await db.query<ResponderRecord>(
    `SELECT id, name, role, phone, community_id AS "communityId", grid_ids AS "gridIds", building_ids AS "buildingIds",
            household_ids AS "householdIds", on_duty AS "onDuty", active
       FROM responders ${communityId ? 'WHERE community_id = $1' : ''} ORDER BY id`, communityId ? [communityId] : []);
  return r.rows.map((x) => ({ ...x, role: x.role as ResponderRole }));
}

/** Roster rows; dates as 'YYYY-MM-DD' text and times as 'HH:MM:SS', as domain/roster.ts expects. */
export async function loadRosterRows(db: Queryable, communityId?: string): Promise<RosterRow[]> {
  const r = await db.query<RosterRow>(
    `SELECT s.responder_id AS "responderId", s.weekday, to_char(s.on_date, 'YYYY-MM-DD') AS "onDate",
            to_char(s.starts, 'HH24:MI:SS') AS starts, to_char(s.ends, 'HH24:MI:SS') AS ends, s.off_duty AS "offDuty"
       FROM roster_shifts s JOIN responders r ON r.id = s.responder_id
      ${communityId ? 'WHERE r.community_id = $1' : ''} ORDER BY s.id`, communityId ? [communityId] : []);
  return r.rows;
}
