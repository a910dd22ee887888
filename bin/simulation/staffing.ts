import type pg from 'pg';

export type Staffing = 'seed' | 'thin';

/**
 * `--staffing thin`: one person per role at night (issue 14). Of each night team (org
 * specialists, property duty, supervisors — shifts that cross midnight) the first member works
 * every night and the others' night shifts go. `seed` keeps the demo's rosters as they are.
 */
export async function applyStaffing(pool: pg.Pool, staffing: Staffing): Promise<void> {
  if (staffing === 'seed') return;
  await pool.query(
    `WITH night AS (
       SELECT DISTINCT r.id, r.role FROM responders r JOIN roster_shifts s ON s.responder_id = r.id
        WHERE s.ends <= s.starts AND r.role IN ('org_specialist', 'property_duty', 'supervisor')
     ), keep AS (SELECT DISTINCT ON (role) id, role FROM night ORDER BY role, id),
     gone AS (
       DELETE FROM roster_shifts s USING night n
        WHERE s.responder_id = n.id AND s.ends <= s.starts AND n.id NOT IN (SELECT id FROM keep)
     ),
     pattern AS (
       SELECT DISTINCT ON (k.id) k.id, s.starts, s.ends FROM keep k JOIN roster_shifts s ON s.responder_id = k.id
        WHERE s.ends <= s.starts AND s.weekday IS NOT NULL ORDER BY k.id, s.weekday
     )
     INSERT INTO roster_shifts (responder_id, weekday, starts, ends)
     SELECT p.id, w, p.starts, p.ends FROM pattern p CROSS JOIN generate_series(0, 6) AS w
      WHERE NOT EXISTS (SELECT 1 FROM roster_shifts x WHERE x.responder_id = p.id AND x.weekday = w AND x.ends <= x.starts)`);
}
