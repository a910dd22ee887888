import { buildDayReport, type DayReport } from '../../bin/simulation/day-report.js';
import { runDay, type DayOptions } from '../../bin/simulation/day-run.js';
import type { Goal, ResultTable, Scenario, ScenarioResult } from '../scenario.js';

/**
 * Care outcome (issue 14 item 6): the simulated community day of `npx guardian simulate day`,
 * seeded, once per staffing and per dispatch policy (issue 15: nearest, the default, beside
 * page_all, the behaviour before it), so every dispatch or detection change is judged in the
 * same run against the same incidents. Figures from the ground truth (what the simulated people
 * did), with the product's own report checked against it. Quick mode plays the seed staffing only.
 */
const DAYS: ReadonlyArray<{ name: string; staffing: DayOptions['staffing']; policy: 'nearest' | 'page_all'; env?: Record<string, string> }> = [
  { name: 'seed staffing', staffing: 'seed', policy: 'nearest' },
  { name: 'seed staffing, page_all', staffing: 'seed', policy: 'page_all' },
  { name: 'thin staffing', staffing: 'thin', policy: 'nearest' },
  { name: 'thin staffing, page_all', staffing: 'thin', policy: 'page_all' },
];

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v} %`);
const sec = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v)} s`);
const min = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v)} min`);

const care: Scenario = {
  id: 'care',
  title: 'Care outcome: a simulated community day per staffing (simulate day)',
  async run(ctx): Promise<ScenarioResult> {
    const base: Omit<DayOptions, 'staffing'> = ctx.quick
      ? { homes: 8, hours: 1.5, date: '2027-01-05', start: '21:00', seed: 7, incidentRate: 200, tz: 'Asia/Shanghai', dayShift: '08:00-20:00' }
      : { homes: 200, hours: 24, date: '2027-01-05', start: '07:00', seed: 7, incidentRate: 2, tz: 'Asia/Shanghai', dayShift: '08:00-20:00' };
    const days = ctx.quick ? DAYS.slice(0, 2) : DAYS;
    const reports: Array<{ name: string; report: DayReport }> = [];
    for (const d of days) {
      const options: DayOptions = { ...base, staffing: d.staffing, policy: d.policy, ...(d.env ? { env: d.env } : {}), log: () => {}, onProgress: ctx.log, progressMs: 30_000 };
      ctx.log(`${d.name}: ${options.homes} homes, ${options.hours} h from ${options.date} ${options.start}, seed ${options.seed}`);
      const run = await runDay(options);
      try {
        reports.push({ name: d.name, report: await buildDayReport(run, options, run.service.database.pool) });
      } finally {
        await run.stop();
      }
    }

    const row = (name: string, r: DayReport) => {
      const t = r.kpis.truth;
      return [name, t.alerts, t.pending, pct(t.onSiteWithinSlaPct), t.onSiteBreaches, pct(t.acceptedWithin60sPct), pct(t.acceptedWithin180sPct),
        `${sec(t.onSiteMedianS)} / ${sec(t.onSiteP90S)}`, pct(r.truth.reachedWithinSlaOfIncidentPct), min(r.truth.silentDetectionMedianMin),
        r.agreement.largestDiffS === null ? '—' : `${r.agreement.largestDiffS} s`, `${r.nightRouting.routedToNight}/${r.nightRouting.nightAlerts}`,
        `${r.dispatch.backups} / ${r.dispatch.declines}`, `${r.dispatch.checks.twoHomes.truth.length + r.dispatch.checks.twoHomes.product.length}`,
        `${r.dispatch.checks.nightPairs.servedByTwo}/${r.dispatch.checks.nightPairs.reached}`, `${r.realSeconds} s`];
    };
    const tables: ResultTable[] = [{
      title: `${base.homes} homes, ${base.hours} h from ${base.start}, seed ${base.seed}, ${base.incidentRate} incidents/h per 200 homes (ground truth)`,
      columns: ['day', 'alerts', 'pending', 'on site ≤ 15 min', 'breaches', 'accepted ≤ 60 s', 'accepted ≤ 180 s', 'on site median / p90',
        'incidents reached ≤ 15 min of the incident', 'silent incidents: detection median', 'product vs truth, largest diff', 'night alerts to night tiers',
        'backups / declines', 'at two homes at once', 'night pairs by two people', 'real time'],
      rows: reports.map((r) => row(r.name, r.report)),
    }];
    const goals: Goal[] = reports.flatMap(({ name, report: r }) => [
      { name: `${name}: product report agrees with the truth, alert by alert`, target: '≤ 5 s', measured: r.agreement.largestDiffS === null ? 'no alerts' : `${r.agreement.largestDiffS} s over ${r.agreement.alerts} alerts`, met: r.agreement.missingOnOneSide === 0 && (r.agreement.largestDiffS ?? 0) <= 5 },
      { name: `${name}: night alerts routed to night tiers`, target: 'all', measured: `${r.nightRouting.routedToNight}/${r.nightRouting.nightAlerts}`, met: r.nightRouting.mismatched.length === 0 },
    ]);
    for (const { name, report: r } of reports) {
      goals.push({ name: `${name}: nobody at two homes at once (truth and product)`, target: '0', measured: `${r.dispatch.checks.twoHomes.truth.length} / ${r.dispatch.checks.twoHomes.product.length}`,
        met: r.dispatch.checks.twoHomes.truth.length === 0 && r.dispatch.checks.twoHomes.product.length === 0 });
    }
    const named = (n: string) => reports.find((r) => r.name === n)?.report;
    const seedNearest = named('seed staffing'), thinNearest = named('thin staffing');
    if (!ctx.quick && seedNearest) {
      const t = seedNearest.kpis.truth;
      goals.push({ name: 'seed staffing, nearest: on site ≤ 15 min (issue 15)', target: '≥ 99 %', measured: pct(t.onSiteWithinSlaPct), met: (t.onSiteWithinSlaPct ?? 0) >= 99 });
      goals.push({ name: 'seed staffing, nearest: accepted ≤ 60 s (issue 15)', target: '≥ 97.5 %', measured: pct(t.acceptedWithin60sPct), met: (t.acceptedWithin60sPct ?? 0) >= 97.5 });
      const p = seedNearest.dispatch.checks.nightPairs;
      goals.push({ name: 'seed staffing, nearest: night pairs in one grid served by two people', target: 'all reached pairs', measured: `${p.servedByTwo}/${p.reached}`, met: p.reached > 0 && p.servedByTwo === p.reached });
    }
    if (!ctx.quick && thinNearest) {
      const t = thinNearest.kpis.truth;
      goals.push({ name: 'thin staffing, nearest: on site ≤ 15 min (issue 15)', target: '≥ 95 %', measured: pct(t.onSiteWithinSlaPct), met: (t.onSiteWithinSlaPct ?? 0) >= 95 });
    }
    if (!ctx.quick) {
      goals.push({ name: 'simulated day: 24 h of 200 homes', target: '≤ 10 min real', measured: reports.map((r) => `${r.name} ${r.report.realSeconds} s`).join(', '), met: reports.every((r) => r.report.realSeconds <= 600) });
    }
    const seed = seedNearest, thin = thinNearest;
    return {
      tables, goals,
      notes: [
        'Every figure comes out of the simulation (site plan, movement, phones in reach by hour, sleep, load); none is an input. See README, "A simulated community day", for the model and its limits.',
        ...(['seed', 'thin'] as const).flatMap((st) => {
          const a = named(`${st} staffing`), b = named(`${st} staffing, page_all`);
          return a && b ? [`${st} staffing, dispatch nearest against page_all, same incidents: on site ≤ 15 min ${pct(a.kpis.truth.onSiteWithinSlaPct)} vs ${pct(b.kpis.truth.onSiteWithinSlaPct)}, accepted ≤ 60 s ${pct(a.kpis.truth.acceptedWithin60sPct)} vs ${pct(b.kpis.truth.acceptedWithin60sPct)}, on site median / p90 ${sec(a.kpis.truth.onSiteMedianS)} / ${sec(a.kpis.truth.onSiteP90S)} vs ${sec(b.kpis.truth.onSiteMedianS)} / ${sec(b.kpis.truth.onSiteP90S)}.`] : [];
        }),
        ...(seed && thin ? [`Thin staffing against seed staffing, same incidents: on site ≤ 15 min ${pct(thin.kpis.truth.onSiteWithinSlaPct)} vs ${pct(seed.kpis.truth.onSiteWithinSlaPct)}, on site p90 ${sec(thin.kpis.truth.onSiteP90S)} vs ${sec(seed.kpis.truth.onSiteP90S)}, accepted ≤ 60 s ${pct(thin.kpis.truth.acceptedWithin60sPct)} vs ${pct(seed.kpis.truth.acceptedWithin60sPct)}.`] : []),
      ],
      checks: Object.fromEntries(reports.flatMap(({ name, report: r }) => [
        [`${name}: alerts`, r.agreement.alerts], [`${name}: agreement ok`, r.agreement.missingOnOneSide === 0 && (r.agreement.largestDiffS ?? 0) <= 5],
        [`${name}: night routing ok`, r.nightRouting.mismatched.length === 0],
        [`${name}: at two homes at once`, r.dispatch.checks.twoHomes.truth.length + r.dispatch.checks.twoHomes.product.length],
      ])),
      raw: Object.fromEntries(reports.map(({ name, report: r }) => [name, { kpis: r.kpis, truth: r.truth, dispatch: r.dispatch, agreement: { alerts: r.agreement.alerts, largestDiffS: r.agreement.largestDiffS }, nightRouting: r.nightRouting, realSeconds: r.realSeconds, simulation: r.simulation }])),
    };
  },
};

export default care;
