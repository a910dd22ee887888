import { isLive } from '../domain/alert-state-machine.js';
import { candidateFacts, nextWave, pickBackup, rankCandidates, type RankedCandidate } from '../domain/dispatch-policy.js';
import type { NotificationPurpose } from '../domain/notification-events.js';
import { markAlert, type AlertRecord } from '../store/alert-transitions-repository.js';
import { insertDispatchRows, loadDispatchFacts, markPicksPaged, type DispatchRow } from '../store/dispatch-repository.js';
import type { DispatchContext } from './dispatch-context.js';
import type { Recipient } from './notifiers/notifier.js';
import { backupText, informText, pageText, supervisorText, titleOf } from './notification-text.js';
import { pageRound } from './notification-rounds.js';
import { householdOf, recipientsOf, supervisorsOf, toRecipient, type PlannedRoute } from './route-planner.js';
import { alertRef } from './tier-pager.js';
import { TOP_LEVEL } from '../domain/routing.js';

/**
 * Dispatch by distance and availability (issue 15, DISPATCH_POLICY=nearest): who is paged first,
 * the next wave, the backup, the re-dispatch after a decline or hand-back and the dispatch
 * room's own picks. The choice is domain/dispatch-policy.ts; this loads the facts, records the
 * alert_dispatches rows and the timeline, and sends through the NotificationSender (one send per
 * (alert, round, channel, target), so a retried job pages nobody twice).
 */
export interface Ranking { ranked: RankedCandidate[]; rows: DispatchRow[] }

export const WAVE_ROUND = (wave: number) => `${pageRound(0)}:wave:${wave}`;
export const BACKUP_ROUND = (acceptedAtMs: number) => `backup:${acceptedAtMs}`;

export async function rankFor(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute): Promise<Ranking> {
  const facts = await loadDispatchFacts(ctx.pool, alert.id, alert.householdId);
  const tierOneIds = new Set(route.plan.tiers[0].targets.flatMap((t) => (t.kind === 'responder' ? [t.responderId] : [])));
  const h = route.context.household;
  const ranked = rankCandidates(candidateFacts({
    responders: [...route.responders.values()], tierOneIds, nightCritical: route.plan.shift === 'night' && alert.severity === 'critical',
    household: { id: h.id, buildingId: h.buildingId }, busy: facts.busy, rows: facts.rows,
    holder: alert.acceptedBy, onSiteBy: alert.onSiteBy, live: isLive(alert.state),
    night: route.plan.shift === 'night', nightReadyS: ctx.config.DISPATCH_NIGHT_READY_S,
  }), facts.home);
  return { ranked, rows: facts.rows };
}

const NEIGHBOUR_ROLES = new Set(['neighbour_buddy', 'building_leader']);

/**
 * The first wave: the best DISPATCH_FIRST_WAVE free tier-1 people, and at night for a critical
 * alert every opted-in first-on-scene neighbour of the home besides. Returns false when nobody
 * could be paged (the caller takes the nobody-available path).
 */
export async function dispatchFirstWave(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, ranking?: Ranking): Promise<boolean> {
  const { ranked } = ranking ?? await rankFor(ctx, alert, route);
  const staff = ranked.filter((c) => !NEIGHBOUR_ROLES.has(c.role));
  const neighbours = ranked.filter((c) => NEIGHBOUR_ROLES.has(c.role) && c.eligible && c.state === 'free');
  const picks = [...nextWave(staff, ctx.config.DISPATCH_FIRST_WAVE), ...neighbours];
  if (picks.length === 0) return false;
  await sendTo(ctx, alert, route, picks, { kind: 'page', wave: 0, round: pageRound(0), purpose: 'page' });
  if (route.plan.informed.length > 0) {
    const ref = alertRef(alert);
    await ctx.sender.deliver({ alert: ref, household: householdOf(route), round: pageRound(0), tier: 0, title: titleOf(ref),
      purpose: 'inform', recipients: recipientsOf(route.plan.informed, route), text: informText(ref, householdOf(route)) });
  }
  return true;
}

/** DISPATCH_WAVE_S after routing and still nobody accepted at tier 1: page every other free tier-1 person. */
export async function dispatchNextWave(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, wave: number): Promise<number> {
  const { ranked } = await rankFor(ctx, alert, route);
  const picks = nextWave(ranked, Infinity);
  if (picks.length === 0) return 0;
  await sendTo(ctx, alert, route, picks, { kind: 'page', wave, round: WAVE_ROUND(wave), purpose: 'page' });
  return picks.length;
}

/**
 * The holder is not at the door by expected arrival + margin (or BACKUP_AFTER_S): send the
 * next-best free person as backup. Nobody free → a timeline note and the supervisors are told.
 */
export async function dispatchBackup(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute): Promise<'sent' | 'nobody' | 'already'> {
  const acceptedAtMs = alert.acceptedAt!.getTime();
  const { ranked, rows } = await rankFor(ctx, alert, route);
  if (rows.some((r) => r.kind === 'backup' && r.at.getTime() >= acceptedAtMs)) return 'already';
  const pick = pickBackup(ranked, alert.acceptedBy);
  const round = BACKUP_ROUND(acceptedAtMs);
  if (!pick) {
    const ref = alertRef(alert);
    const household = householdOf(route);
    const report = await ctx.sender.deliver({ alert: ref, household, round, tier: null, purpose: 'supervisor', title: titleOf(ref),
      recipients: supervisorsOf(route), text: supervisorText(ref, household, 'nobody_on_duty', 0) });
    if (report.claimed > 0 || supervisorsOf(route).length === 0) {
      const marked = await markAlert(ctx.pool, alert.id, {}, { actor: 'system', type: 'note', data: { text: 'no backup available', backup: null } }, ctx.clock.now());
      if (marked) ctx.publish(marked.live);
    }
    return 'nobody';
  }
  await sendTo(ctx, alert, route, [pick], { kind: 'backup', wave: null, round, purpose: 'backup' });
  return 'sent';
}

/**
 * After a decline or a hand-back (the alert's latest dispatch row), page again at once: a decline
 * tops the pages out back up to DISPATCH_FIRST_WAVE; a hand-back pages a fresh wave (the people
 * paged before saw the alert taken and stopped). Nobody left → the nobody-available path.
 */
export async function redispatch(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute): Promise<'paged' | 'nobody' | 'nothing'> {
  const { ranked, rows } = await rankFor(ctx, alert, route);
  const last = rows[rows.length - 1];
  if (!last || (last.kind !== 'decline' && last.kind !== 'hand_back')) return 'nothing';
  const n = ctx.config.DISPATCH_FIRST_WAVE;
  // The night neighbours come on top of the wave, as in the first one; they do not fill it.
  const staff = ranked.filter((c) => !NEIGHBOUR_ROLES.has(c.role));
  const picks = last.kind === 'hand_back' ? staff.filter((c) => c.eligible).slice(0, n) : nextWave(staff, n);
  if (picks.length === 0) {
    if (ranked.some((c) => c.eligible)) return 'nothing'; // others are still paged and have not answered
    await announceNobodyAvailable(ctx, alert, route, `after a ${last.kind === 'decline' ? 'decline' : 'hand-back'}`);
    return 'nobody';
  }
  await sendTo(ctx, alert, route, picks, { kind: 'page', wave: rows.length, round: `${pageRound(0)}:re:${last.id}`, purpose: 'page' });
  return 'paged';
}

/** The dispatch room's picks (POST /alerts/:id/dispatch) not paged yet: a page, or a backup on an accepted alert. */
export async function pageOperatorPicks(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, picks: readonly DispatchRow[]): Promise<void> {
  const { ranked } = await rankFor(ctx, alert, route);
  const asBackup = alert.state === 'accepted' || alert.state === 'on_site';
  for (const row of picks) {
    const c = ranked.find((r) => r.responderId === row.responderId)
      ?? { responderId: row.responderId, role: route.responders.get(row.responderId)?.role ?? 'grid_worker', etaS: row.etaS, state: 'free' as const, eligible: false };
    await sendTo(ctx, alert, route, [c], { kind: asBackup ? 'backup' : null, wave: null, round: `operator:${row.id}`, purpose: asBackup ? 'backup' : 'page' });
    await markPicksPaged(ctx.pool, [row.id], ctx.clock.now());
  }
}

/**
 * Nobody free in tier 1 (issue 15 item 6): the alert's red banner (nobody_available_at), a
 * timeline row, and the supervisors and the community's 24-hour number told through every
 * channel that reaches a phone. The caller moves on to the next tier as for an empty one.
 */
export async function announceNobodyAvailable(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, why: string): Promise<void> {
  const now = ctx.clock.now();
  const ref = alertRef(alert);
  const household = householdOf(route);
  const recipients: Recipient[] = [...supervisorsOf(route)];
  const community = route.context.communityEmergencyContact;
  if (community) recipients.push({ kind: 'community', name: community.name, phone: community.phone });
  const round = `nobody:${alert.level}:${now.getTime()}`;
  const d = { alert: ref, household, round, tier: null, purpose: 'supervisor' as const };
  if (recipients.length > 0) {
    await ctx.sender.deliver({ ...d, recipients, title: titleOf(ref), text: supervisorText(ref, household, 'nobody_on_duty', 0) });
  } else {
    await ctx.sender.recordUnreachable(d, 'nobody free, no supervisor and no community number');
  }
  const marked = await markAlert(ctx.pool, alert.id, { nobodyAvailableAt: alert.nobodyAvailableAt ?? now }, {
    actor: 'system', type: 'nobody_available',
    data: { level: alert.level, why, told: recipients.map((r) => (r.kind === 'responder' ? r.responderId : r.kind)) },
  }, now);
  if (marked) ctx.publish(marked.live);
  ctx.log.warn(`alert ${alert.id}: nobody free to send at tier 1 (${why}); supervisors and the community number told`);
}

interface SendOpts { kind: 'page' | 'backup' | null; wave: number | null; round: string; purpose: NotificationPurpose }

/** Rows first (so the operator's picker and the busy set see them), then the send, then the timeline. */
async function sendTo(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, picks: readonly RankedCandidate[], o: SendOpts): Promise<void> {
  const now = ctx.clock.now();
  if (o.kind) {
    await insertDispatchRows(ctx.pool, picks.map((c) => ({ alertId: alert.id, responderId: c.responderId, kind: o.kind!, wave: o.wave, etaS: c.etaS, at: now })));
  }
  const ref = alertRef(alert);
  const household = householdOf(route);
  const recipients = picks.map((c) => toRecipient({ kind: 'responder', responderId: c.responderId, role: c.role }, route.responders))
    .filter((r): r is Recipient => r !== null);
  const text = o.purpose === 'backup' ? backupText(ref, household) : pageText(ref, household, 0, TOP_LEVEL);
  await ctx.sender.deliver({ alert: ref, household, round: o.round, tier: o.purpose === 'page' ? 0 : null, purpose: o.purpose, recipients, title: titleOf(ref), text });
  const marked = await markAlert(ctx.pool, alert.id, {}, {
    actor: 'system', type: o.purpose === 'backup' ? 'backup' : 'dispatched',
    data: { wave: o.wave, round: o.round, responders: picks.map((c) => ({ id: c.responderId, name: route.responders.get(c.responderId)?.name ?? null, role: c.role, etaS: c.etaS })) },
  }, now);
  if (marked) ctx.publish(marked.live);
}
