import type { Queryable } from './db.js';
import type { RegisterTable } from './register-rows.js';

/** Residents of a household: the seniors the file is about. Retired (moved out, passed away) ones stay on record. */
export interface ResidentRecord {
  id: number; householdId: string; name: string; gender: string | null; birthYear: number | null; phone: string | null;
  idNumber: string | null; conditions: string[]; notes: string | null; retiredAt: Date | null;
}

export const RESIDENTS: RegisterTable = {
  table: 'residents', id: 'id',
  columns: { householdId: 'household_id', name: 'name', gender: 'gender', birthYear: 'birth_year', phone: 'phone', idNumber: 'id_number', conditions: 'conditions', notes: 'notes' },
  select: `x.id, x.household_id AS "householdId", x.name, x.gender, x.birth_year AS "birthYear", x.phone, x.id_number AS "idNumber",
    x.conditions, x.notes, x.retired_at AS "retiredAt"`,
};

/** The home of a resident; null when there is no such resident. */
export async function householdOfResident(db: Queryable, id: number): Promise<string | null> {
  return (await db.query<{ h: string }>(`SELECT household_id AS h FROM residents WHERE id = $1`, [id])).rows[0]?.h ?? null;
}
