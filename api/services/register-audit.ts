import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { liveChildren } from '../../store/communities-repository.js';
import { setRetired, type RegisterTable } from '../../store/register-rows.js';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { ApiError, badRequest, notFound } from '../api-error.js';
import type { Actor } from './actor.js';

/**
 * Every change to the register is one transaction with its audit row, which keeps the object
 * before and after (issue 17: "every change audited with before/after").
 */
export async function auditedChange<T>(
  pool: pg.Pool, clock: Clock, actor: Actor, action: string, target: (r: T) => string,
  fn: (tx: pg.PoolClient) => Promise<{ result: T; before: unknown; after: unknown } | null>, missing: string,
): Promise<T> {
  return inTransaction(pool, async (tx) => {
    const r = await fn(tx);
    if (!r) throw notFound(missing);
    await writeAudit(tx, { username: actor.username, role: actor.role, action, target: target(r.result), ip: actor.ip, data: { before: r.before, after: r.after } }, clock.now());
    return r.result;
  }).catch((err: { code?: string; constraint?: string }) => {
    // A check constraint of the table (a bad day shift, a latitude past 90) is the caller's input.
    if (err.code === '23514') throw badRequest(`a value is out of range (${err.constraint ?? 'check'})`, 'out_of_range');
    if (err.code === '23505') throw new ApiError(409, 'already_exists', 'that id is taken; choose another');
    throw err;
  });
}

export const placeInUse = (what: string, n: { places: number; households: number }) =>
  new ApiError(409, 'place_in_use', `${what} still has ${n.places} place(s) and ${n.households} household(s) in service; move or retire them first`);
export const unknownPlace = (field: string, id: string) => badRequest(`body.${field}: no place "${id}" you may use (unknown, retired or outside your communities)`, 'unknown_place');
export const phoneInvalid = (field: string) => badRequest(`body.${field}: not a phone number (mobile 13812345678, landline 025-84561234, or +country…)`, 'phone_invalid');

/**
 * Retire (or restore) a place: refused with 409 place_in_use while anything under it is in
 * service (a building: households; the others: places or households), audited before/after.
 */
export function retirePlace<T extends { id: string }>(
  pool: pg.Pool, clock: Clock, actor: Actor, level: 'street' | 'community' | 'grid' | 'building', table: RegisterTable, id: string, retire: boolean,
): Promise<T> {
  return auditedChange(pool, clock, actor, `${level}.${retire ? 'retire' : 'restore'}`, (r: T) => r.id, async (tx) => {
    if (retire) {
      const n = await liveChildren(tx, level, id);
      if (n.places + n.households > 0) throw placeInUse(`${level} ${id}`, n);
    }
    const r = await setRetired<T>(tx, table, id, retire ? clock.now() : null);
    return r && { result: r.after, ...r };
  }, `no ${level} ${id}`);
}
