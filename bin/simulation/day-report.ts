import type pg from 'pg';
import { localMinuteOfDay } from '../../simulators/clock.js';
import { agreement, productKpis, truthKpis, truthOnly, type Agreement, type Kpis, type ProductAlert, type TruthOnly } from '../../simulators/day/day-kpis.js';
import { dispatchChecks, type DispatchChecks } from '../../simulators/day/dispatch-checks.js';
import { passiveKpis, type PassiveKpis } from '../../simulators/day/passive-kpis.js';
import { CHECK_IN_SENT_NOTE } from '../../store/passive-queries-repository.js';
import type { DayOptions, DayRun } from './day-run.js';

/** Everything `simulate day --json` writes (issue 14 item 2). */
export interface DayReport {
  window: { start: string; end: string; tz: string; hours: number };
  options: Omit<DayOptions, 'onProgress' | 'log'>;
  realSeconds: number;
  simulation: { devices: number; phones: number; eventsSent: number; eventsFailed: number; settleLooks: number; settleSlowestMs: number };
  ledger: { incidents: unknown[]; acts: unknown[]; arrivals: unknown[]; checkIns: unknown[]; pagesSeen: number; pagesNoticed: number };
  alerts: Array<ProductAlert & { timeline: unknown[] }>;
  productReport: unknown;
  kpis: { product: Kpis; truth: Kpis; productReport: Record<string, unknown> | null };
  truth: TruthOnly;
  agreement: { alerts: number; largestDiffS: number | null; missingOnOneSide: number; rows: Agreement[] };
  nightRouting: { nightAlerts: number; routedToNight: number; mismatched: string[] };
  /** Issue 15: the policy of the run, what dispatch did, and the physical checks over the day. */
  dispatch: { policy: string; backups: number; declines: number; nobodyAvailable: number; checks: DispatchChecks };
  /** Issue 19: the silent episodes and the passive rules' cost, from the ground truth. */
  passive: PassiveKpis & { policy: string; historyDays: number; checkInList: Array<{ householdId: string; at: string; note: string }> };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function buildDayReport(run: DayRun, o: DayOptions, pool: pg.Pool): Promise<DayReport> {
  const { start, end } = run.window;
  const slaS = run.slaOnsiteS;
  const rows = (await pool.query<{
    id: string; householdId: string; kind: string; severity: string; state: string; firstSignalAt: Date; acceptedAt: Date | null;
    acceptedBy: string | null; onSiteAt: Date | null; closedAt: Date | null; shift: string | null; gridId: string | null; onSiteBy: string | null;
  }>(`SELECT id, household_id AS "householdId", kind, severity, state, first_signal_at AS "firstSignalAt", accepted_at AS "acceptedAt",
             accepted_by AS "acceptedBy", on_site_at AS "onSiteAt", closed_at AS "closedAt", shift, grid_id AS "gridId", on_site_by AS "onSiteBy"
        FROM alerts WHERE first_signal_at >= $1 AND first_signal_at < $2 ORDER BY first_signal_at, id`, [new Date(start), new Date(end)])).rows;
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  const alerts: ProductAlert[] = rows.map(({ gridId: _g, onSiteBy: _o, ...r }) => ({
    ...r, firstSignalAt: r.firstSignalAt.getTime(), acceptedAt: ms(r.acceptedAt), onSiteAt: ms(r.onSiteAt), closedAt: ms(r.closedAt),
  }));
  const checks = dispatchChecks(rows.map((r) => ({
    id: r.id, householdId: r.householdId, severity: r.severity, state: r.state, gridId: r.gridId, firstSignalAt: r.firstSignalAt.getTime(),
    onSiteAt: ms(r.onSiteAt), onSiteBy: r.onSiteBy, closedAt: ms(r.closedAt), night: isNight(r.firstSignalAt.getTime(), o.tz),
  })), run.ledger, end);
  const timelines = (await pool.query<{ alertId: string; at: Date; actor: string; type: string; fromState: string | null; toState: string | null; data: unknown }>(
    `SELECT alert_id AS "alertId", at, actor, type, from_state AS "fromState", to_state AS "toState", data
       FROM alert_events WHERE alert_id = ANY($1::uuid[]) ORDER BY id`, [alerts.map((a) => a.id)])).rows;

  const res = await fetch(`${run.service.httpUrl}/api/v1/reports/sla?groupBy=all&from=${iso(start)}&to=${iso(end)}`, { headers: { authorization: `Bearer ${run.adminToken}` } });
  const productReport = res.ok ? await res.json() as { items: Array<Record<string, unknown>> } : { error: `${res.status} ${await res.text()}` };
  const rows0 = 'items' in productReport ? productReport.items[0] ?? null : null;

  const checkIns = (await pool.query<{ householdId: string; at: Date; note: string }>(
    `SELECT household_id AS "householdId", at, note FROM visits
      WHERE kind = 'check_in' AND starts_with(note, $3) AND at >= $1 AND at < $2`, [new Date(start), new Date(end), CHECK_IN_SENT_NOTE])).rows;
  const passive = passiveKpis({
    alerts, ledger: run.ledger, checkIns: checkIns.map((c) => ({ householdId: c.householdId, at: c.at.getTime() })),
    window: { start, end }, homes: run.homes, tz: o.tz, dayShift: o.dayShift,
  });

  const agree = agreement(alerts, run.ledger);
  const diffs = agree.map((a) => a.diffS).filter((x): x is number => x !== null && x >= 0);
  const night = alerts.filter((a) => ['critical', 'high'].includes(a.severity) && isNight(a.firstSignalAt, o.tz));

  return {
    window: { start: iso(start)!, end: iso(end)!, tz: o.tz, hours: o.hours },
    options: { homes: o.homes, hours: o.hours, date: o.date, start: o.start, seed: o.seed, staffing: o.staffing, incidentRate: o.incidentRate, tz: o.tz, dayShift: o.dayShift,
      passivePolicy: o.passivePolicy ?? 'learned', historyDays: o.historyDays ?? 0, ...(o.env ? { env: o.env } : {}) },
    realSeconds: Math.round(run.realMs / 100) / 10,
    simulation: { devices: run.devices, phones: run.phones, eventsSent: run.eventsSent, eventsFailed: run.eventsFailed, settleLooks: run.settleLooks, settleSlowestMs: run.settleSlowestMs },
    ledger: {
      incidents: run.ledger.incidents.map((i) => ({ ...i, at: iso(i.at), cancelAt: i.cancelAt === undefined ? undefined : iso(i.cancelAt),
        lastSignOfLifeAt: iso(i.lastSignOfLifeAt), reachedAt: iso(i.reachedAt), overAt: iso(i.overAt), offsetS: (i.at - start) / 1000 })),
      acts: run.ledger.acts.map((a) => ({ ...a, at: iso(a.at) })),
      arrivals: run.ledger.arrivals.map((a) => ({ ...a, at: iso(a.at), pressedAt: iso(a.pressedAt) })),
      checkIns: run.ledger.checkIns.map((c) => ({ ...c, sentAt: iso(c.sentAt), answeredAt: iso(c.answeredAt) })),
      pagesSeen: run.ledger.pages.length, pagesNoticed: run.ledger.pages.filter((p) => p.noticed).length,
    },
    alerts: alerts.map((a) => ({ ...a, timeline: timelines.filter((t) => t.alertId === a.id).map(({ alertId: _, ...t }) => t) })),
    productReport,
    kpis: { product: productKpis(alerts, slaS, end), truth: truthKpis(alerts, run.ledger, slaS, end), productReport: rows0 },
    truth: truthOnly(alerts, run.ledger, slaS),
    agreement: {
      alerts: agree.length, largestDiffS: diffs.length ? Math.max(...diffs) : null,
      missingOnOneSide: agree.filter((a) => a.diffS === -1).length, rows: agree,
    },
    nightRouting: {
      nightAlerts: night.length, routedToNight: night.filter((a) => a.shift === 'night').length,
      mismatched: night.filter((a) => a.shift !== 'night').map((a) => a.id),
    },
    dispatch: {
      policy: run.policy,
      backups: timelines.filter((t) => t.type === 'backup').length,
      declines: timelines.filter((t) => t.type === 'declined').length,
      nobodyAvailable: timelines.filter((t) => t.type === 'nobody_available').length,
      checks,
    },
    passive: {
      policy: o.passivePolicy ?? 'learned', historyDays: o.historyDays ?? 0, ...passive,
      checkInList: checkIns.map((c) => ({ householdId: c.householdId, at: c.at.toISOString(), note: c.note })),
    },
  };
}

/**
 * Issue 19's measures, one column per policy run on the same seed (the learned rules beside the
 * static thresholds), with the goals.
 */
export function passiveTable(reports: readonly DayReport[]): string {
  const rows: Array<[string, (p: DayReport['passive']) => string, string]> = [
    ['silent episodes (detected / missed / open)', (p) => `${p.episodes} (${p.detected}/${p.missed}/${p.open})`, ''],
    ['detected, of decided', (p) => f(p.detectedPct, ' %'), '≥ 99 %'],
    ['delay, bath/kitchen/living by day: median', (p) => `${f(p.dayRooms.medianMin, ' min')} (n ${p.dayRooms.n})`, '≤ 30 min'],
    ['  p90', (p) => f(p.dayRooms.p90Min, ' min'), ''],
    ['delay, otherwise: median', (p) => `${f(p.otherwise.medianMin, ' min')} (n ${p.otherwise.n})`, '≤ 60 min'],
    ['  p90', (p) => f(p.otherwise.p90Min, ' min'), ''],
    ['false inactivity alerts / home / day', (p) => `${p.falseAlertsPerHomeDay ?? '—'} (${p.falseAlerts} in ${p.homeDays} home-days)`, '≤ 0.01'],
    ['check-ins / home / day (no incident)', (p) => `${p.checkInsPerHomeDay ?? '—'} (${p.checkIns})`, '≤ 0.05'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const cols = reports.map((r) => rows.map(([, fn]) => fn(r.passive)));
  const labels = reports.map((r) => runLabel(r, reports));
  const cw = reports.map((r, i) => Math.max(labels[i]!.length, ...cols[i]!.map((c) => c.length)));
  const head = `${'passive rules'.padEnd(w)}  ${labels.map((l, i) => l.padStart(cw[i]!)).join('  ')}  goal`;
  return [head, ...rows.map(([name, , goal], k) => `${name.padEnd(w)}  ${cols.map((c, i) => c[k]!.padStart(cw[i]!)).join('  ')}  ${goal}`)].join('\n');
}

/** A run's column: its dispatch policy, its passive rules, or both when both vary among the runs. */
function runLabel(r: DayReport, all: readonly DayReport[]): string {
  const dispatchVaries = new Set(all.map((x) => x.dispatch.policy)).size > 1;
  const passiveVaries = new Set(all.map((x) => x.passive.policy)).size > 1;
  if (dispatchVaries && passiveVaries) return `${r.dispatch.policy}/${r.passive.policy}`;
  return passiveVaries ? r.passive.policy : r.dispatch.policy;
}

/** 22:00–06:00 local: the hours the issue checks night routing on. */
function isNight(ms: number, tz: string): boolean {
  const minute = localMinuteOfDay(ms, tz);
  return minute >= 22 * 60 || minute < 6 * 60;
}

const f = (v: unknown, unit = '') => (v === null || v === undefined ? '—' : typeof v === 'number' ? `${Math.round(v * 10) / 10}${unit}` : String(v));

/** The KPI table `simulate day` prints: the product's own report beside the ground truth. */
export function kpiTable(r: DayReport): string {
  const p = r.kpis.productReport ?? {};
  const t = r.kpis.truth;
  const lines: Array<[string, unknown, unknown, string?]> = [
    ['alerts (critical + high)', p.alerts, t.alerts],
    ['  cancelled', p.cancelled, t.cancelled],
    ['  pending at the end (not yet due)', p.pending, t.pending],
    ['on site ≤ 15 min, of decided', p.onSiteWithinSlaPct, t.onSiteWithinSlaPct, ' %'],
    ['on-site breaches', p.onSiteBreaches, t.onSiteBreaches],
    ['accepted ≤ 60 s', p.acceptedWithin60sPct, t.acceptedWithin60sPct, ' %'],
    ['accepted ≤ 180 s', p.acceptedWithin180sPct, t.acceptedWithin180sPct, ' %'],
    ['time to accept, median / p90', `${f(p.acceptMedianS, ' s')} / ${f(p.acceptP90S, ' s')}`, `${f(t.acceptMedianS, ' s')} / ${f(t.acceptP90S, ' s')}`],
    ['time on site, median / p90', `${f(p.onSiteMedianS, ' s')} / ${f(p.onSiteP90S, ' s')}`, `${f(t.onSiteMedianS, ' s')} / ${f(t.onSiteP90S, ' s')}`],
    ['alerts paged with nobody on duty', p.nobodyOnDuty, '—'],
    ['inactivity alerts; detection median', `${f(p.passiveAlerts)}; ${f(p.detectionDelayMedianS === null || p.detectionDelayMedianS === undefined ? null : Number(p.detectionDelayMedianS) / 60, ' min')}`, '—'],
  ];
  const w = Math.max(...lines.map((l) => l[0].length));
  const out = [
    `simulated ${r.window.start} → ${r.window.end} (${r.window.tz}), ${r.options.homes} homes, seed ${r.options.seed}, staffing ${r.options.staffing}, dispatch ${r.dispatch.policy} — ${r.realSeconds} s real`,
    `${''.padEnd(w)}  ${'product report'.padStart(16)}  ${'ground truth'.padStart(14)}`,
    ...lines.map(([name, a, b, unit = '']) => `${name.padEnd(w)}  ${f(a, unit).padStart(16)}  ${f(b, unit).padStart(14)}`),
    '',
    `agreement, alert by alert: ${r.agreement.alerts} alerts, largest difference ${f(r.agreement.largestDiffS, ' s')}` +
      `${r.agreement.missingOnOneSide ? `, ${r.agreement.missingOnOneSide} with a time on one side only` : ''}`,
    `night alerts (22:00–06:00): ${r.nightRouting.nightAlerts}, routed to the night tiers: ${r.nightRouting.routedToNight}`,
    `incidents: ${r.truth.incidents}, an alert raised for ${r.truth.detected}; residents reached ≤ 15 min after the incident itself: ${f(r.truth.reachedWithinSlaOfIncidentPct, ' %')}` +
      ` (silent ones detected after ${f(r.truth.silentDetectionMedianMin, ' min')} median, ${f(r.truth.silentDetectionP90Min, ' min')} p90)`,
    ...Object.entries(r.truth.byKind).map(([k, v]) => `  ${k.padEnd(17)} ${String(v.incidents).padStart(4)} incidents, ${String(v.detected).padStart(4)} alerted, ${String(v.reached).padStart(4)} reached (${v.reachedWithinSla} ≤ 15 min), median wait ${f(v.waitMedianS === null ? null : v.waitMedianS / 60, ' min')}`),
  ];
  return out.join('\n');
}

/**
 * `--policy both` (issue 15): the two dispatch policies of one seed side by side, from the
 * ground truth, with the physical checks over the whole day.
 */
export function policyTable(reports: readonly DayReport[]): string {
  const cols = reports.map((r) => runLabel(r, reports));
  const rows: Array<[string, (r: DayReport) => string]> = [
    ['critical + high alerts (decided)', (r) => `${r.kpis.truth.alerts} (${r.kpis.truth.decided})`],
    ['on site ≤ 15 min', (r) => f(r.kpis.truth.onSiteWithinSlaPct, ' %')],
    ['on-site breaches', (r) => f(r.kpis.truth.onSiteBreaches)],
    ['accepted ≤ 60 s', (r) => f(r.kpis.truth.acceptedWithin60sPct, ' %')],
    ['accepted ≤ 180 s', (r) => f(r.kpis.truth.acceptedWithin180sPct, ' %')],
    ['time on site, median / p90', (r) => `${f(r.kpis.truth.onSiteMedianS, ' s')} / ${f(r.kpis.truth.onSiteP90S, ' s')}`],
    ['time to accept, median / p90', (r) => `${f(r.kpis.truth.acceptMedianS, ' s')} / ${f(r.kpis.truth.acceptP90S, ' s')}`],
    ['backups sent / declines / nobody free', (r) => `${r.dispatch.backups} / ${r.dispatch.declines} / ${r.dispatch.nobodyAvailable}`],
    ['at two homes at once (truth / product)', (r) => `${r.dispatch.checks.twoHomes.truth.length} / ${r.dispatch.checks.twoHomes.product.length}`],
    ['night pairs in one grid: by two people / reached / pairs', (r) => `${r.dispatch.checks.nightPairs.servedByTwo} / ${r.dispatch.checks.nightPairs.reached} / ${r.dispatch.checks.nightPairs.pairs}`],
    ['product vs truth, largest diff', (r) => f(r.agreement.largestDiffS, ' s')],
    ['real time', (r) => `${r.realSeconds} s`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  const cw = 22;
  return [
    `dispatch policies side by side — seed ${reports[0]?.options.seed}, staffing ${reports[0]?.options.staffing}, ${reports[0]?.options.homes} homes, ${reports[0]?.options.hours} h (ground truth)`,
    `${''.padEnd(w)}  ${cols.map((c) => c.padStart(cw)).join('  ')}`,
    ...rows.map(([name, get]) => `${name.padEnd(w)}  ${reports.map((r) => get(r).padStart(cw)).join('  ')}`),
    ...reports.flatMap((r) => [...r.dispatch.checks.twoHomes.truth, ...r.dispatch.checks.twoHomes.product, ...r.dispatch.checks.nightPairs.failures].map((x) => `  ${r.dispatch.policy}: ${x}`)),
  ].join('\n');
}
