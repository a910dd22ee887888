import type { Queryable } from './db.js';
import type { RegisterTable } from './register-rows.js';

/** Family and other contacts of a household, called in `priority` order (tier 3, DESIGN §4). */
export interface ContactRecord { id: number; householdId: string; name: string; relation: string; phone: string; priority: number }

export const CONTACTS: RegisterTable = {
  table: 'contacts', id: 'id',
  columns: { householdId: 'household_id', name: 'name', relation: 'relation', phone: 'phone', priority: 'priority' },
  select: `x.id, x.household_id AS "householdId", x.name, x.relation, x.phone, x.priority`,
};

export async function householdOfContact(db: Queryable, id: number): Promise<string | null> {
  return (await db.query<{ h: string }>(`SELECT household_id AS h FROM contacts WHERE id = $1`, [id])).rows[0]?.h ?? null;
}

/** Removes a contact; the row as it was (for the audit log), or null. */
export async function deleteContact(db: Queryable, id: number): Promise<ContactRecord | null> {
  const r = await db.query<ContactRecord>(`DELETE FROM contacts x WHERE x.id = $1 RETURNING ${CONTACTS.select}`, [id]);
  return r.rows[0] ?? null;
}
