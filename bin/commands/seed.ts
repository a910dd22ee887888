import { resolve } from 'node:path';
import { EXIT_OK, fail, logToStderr, oneLine, parseCommandArgs, positiveInt, str, usageError, UsageError, withDatabase } from './args.js';
import { seedDemoCommunity, type SeedDemoResult } from '../../store/demo-seed/index.js';

const USAGE = `usage: npx guardian seed --demo [--households N]

Seeds the demo community (DESIGN §1): 1 community, >= 4 grids, >= 16 buildings, N households
(default 200) with residents, family contacts, a device set and three weeks of everyday
activity each, responders for every role with day and night rosters that follow DAY_SHIFT
(08:00-20:00 → day 08:00-20:00, night 20:00-08:00), and console users.
Idempotent: a second run creates nothing and reports what already existed.

Writes to DATA_DIR (0600):
  demo-devices.json   device ids and secrets for the simulators
  demo-logins.json    console logins (operator, supervisor, gw1…, org1…, duty1…)

Options:
  --demo             required: seed the demo community
  --households N     number of households (default 200, max 100000)
  -h, --help         this help`;

export default async function seedCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { demo: { type: 'boolean' }, households: { type: 'string' } }, USAGE);
  if (typeof parsed === 'number') return parsed;
  if (!parsed.values.demo) return usageError('only demo seeding exists: pass --demo', USAGE);
  let households: number;
  try {
    households = positiveInt(str(parsed, 'households'), 'households', 200, 100_000);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    throw err;
  }
  try {
    const result = await withDatabase((pool, config) =>
      seedDemoCommunity(pool, {
        households, dataDir: resolve(config.DATA_DIR), log: logToStderr,
        dayShift: config.DAY_SHIFT, tz: config.GUARDIAN_TZ, activityDays: 21,
      }));
    process.stdout.write(report(result));
    return EXIT_OK;
  } catch (err) {
    return fail(`seed failed: ${oneLine(err)}`);
  }
}

function report(r: SeedDemoResult): string {
  const rows: Array<[string, number, number | undefined]> = [
    ['communities', r.created.communities, r.existing.communities],
    ['grids', r.created.grids, r.existing.grids],
    ['buildings', r.created.buildings, r.existing.buildings],
    ['households', r.created.households, r.existing.households],
    ['residents', r.created.residents, undefined],
    ['contacts', r.created.contacts, undefined],
    ['responders', r.created.responders, r.existing.responders],
    ['roster shifts', r.created.rosterShifts, undefined],
    ['devices', r.created.devices, r.existing.devices],
    ['console users', r.created.users, r.existing.users],
    ['activity', r.created.activitySignals, undefined],
  ];
  const lines = ['demo community seeded:', `  ${'table'.padEnd(14)} ${'created'.padStart(8)} ${'existed'.padStart(8)}`];
  for (const [name, created, existed] of rows) {
    lines.push(`  ${name.padEnd(14)} ${String(created).padStart(8)} ${(existed === undefined ? '' : String(existed)).padStart(8)}`);
  }
  const nothingNew = rows.every(([, created]) => created === 0);
  if (nothingNew) lines.push('nothing new: the demo community was already there');
  if (r.reissuedSecrets > 0) lines.push(`issued new secrets for ${r.reissuedSecrets} demo device(s) whose credentials were missing`);
  lines.push(`device credentials: ${r.devicesFile}`, `console logins:     ${r.loginsFile} (${r.logins.length} logins)`);
  return lines.join('\n') + '\n';
}
