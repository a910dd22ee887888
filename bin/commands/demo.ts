import { readCredentials, startHouseholdSimulation, startResponderSimulation, type HouseholdSimulation, type ResponderSimulation } from '../../simulators/index.js';
import { secondCommunitySize, seedDemoCommunity, type DemoLogin } from '../../store/demo-seed/index.js';
import { loadConfig } from '../runtime/load-config.js';
import { createLogger } from '../runtime/logger.js';
import { startService } from '../runtime/service.js';
import { EXIT_OK, parseCommandArgs, positiveInt, simulatedStart, str, usageError, UsageError } from './args.js';
import { printBanner, startOrExplain } from './start.js';
import { untilStopped } from '../runtime/until-stopped.js';

const USAGE = `usage: npm run demo [-- options]

Starts the service with a seeded demo community (鹿山社区) and a simulator for every home.

  --households N     homes to seed and simulate (default 200)
  --speed X          simulated time runs X times faster (default 1)
  --incident-rate R  random incidents per simulated hour per 200 homes (default 6)
  --start HH:MM      simulated time of day to start at (default now; e.g. 07:00 for a morning)
  --no-simulators    no simulated homes
  --no-responders    no simulated responders (accept, arrive, resolve through the API)`;

/** Days of everyday activity seeded for new demo homes (the household file's heatmap). */
const DEMO_HISTORY_DAYS = 21;

/**
 * The banner's logins: the dispatch room and the first responders, and where the rest are —
 * every login is in the 0600 file, and the phone view takes any responder login.
 */
export function demoLoginsBanner(logins: readonly DemoLogin[], file: string): string {
  const responders = logins.filter((l) => l.role === 'responder');
  const shown = logins.filter((l) => l.role !== 'responder').concat(responders.slice(0, 3));
  const rest = logins.length - shown.length;
  const line = (l: DemoLogin) => `    ${l.username.padEnd(12)} ${l.password.padEnd(20)} ${l.role}${l.displayName ? ` · ${l.displayName}` : ''}`;
  return [
    `  Demo logins (${shown.length} of ${logins.length} shown):`,
    ...shown.map(line),
    ...(rest > 0 ? [`    … ${rest} more (${responders.slice(3).map((l) => l.username).join(', ')}): every login and password is in`, `    ${file}`]
      : [`    (also in ${file})`]),
    '', '  Stop with Ctrl-C.', '', '',
  ].join('\n');
}

/** `npm run demo`: start + seed --demo + simulators, then run until Ctrl-C. */
export default async function demo(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    households: { type: 'string' }, speed: { type: 'string' }, 'incident-rate': { type: 'string' },
    start: { type: 'string' }, 'no-simulators': { type: 'boolean' }, 'no-responders': { type: 'boolean' },
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const households = positiveInt(str(parsed, 'households'), '--households', 200, 50_000);
  const speed = Number(str(parsed, 'speed') ?? 1);
  const incidentRate = Number(str(parsed, 'incident-rate') ?? 6);
  if (!(speed > 0) || !(incidentRate >= 0)) {
    process.stderr.write('guardian demo: --speed must be > 0 and --incident-rate ≥ 0\n');
    return 2;
  }

  const config = loadConfig();
  let startAt: number | undefined;
  try {
    startAt = simulatedStart(str(parsed, 'start'), config.GUARDIAN_TZ);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const service = await startOrExplain(() => startService(config, log));
  if (!service) return 1;
  let simulation: HouseholdSimulation | undefined;
  let responders: ResponderSimulation | undefined;
  try {
    log.info(`seeding the demo community (${households} households)…`);
    const seed = await seedDemoCommunity(service.database.pool, {
      households, dataDir: config.DATA_DIR, log: (m) => log.info(m),
      dayShift: config.DAY_SHIFT, tz: config.GUARDIAN_TZ, activityDays: DEMO_HISTORY_DAYS,
    });
    if (!parsed.values['no-simulators']) {
      const credentials = await readCredentials(seed.devicesFile);
      simulation = startHouseholdSimulation({
        url: service.mqttUrl, credentials, households: households + secondCommunitySize(households), speed, incidentRate, tz: config.GUARDIAN_TZ, startAt,
        progressIntervalMs: 30_000,
        onProgress: (p) => log.info(`simulators: ${p.connected}/${p.devices} devices connected, ${p.eventsPerMin} events/min, ${p.incidents} incidents, simulated time ${p.simTime}`),
        log: (m) => log.debug(m),
      });
      log.info(`simulators: connecting ${credentials.length} devices of ${Math.min(households, new Set(credentials.map((c) => c.householdId)).size)} homes`);
    }
    if (!parsed.values['no-responders']) {
      responders = startResponderSimulation({ url: service.httpUrl, logins: seed.logins, speed, log: (m) => log.debug(m) });
      void responders.ready.then((r) => log.info(`simulated responders: ${r.loggedIn} logged in${r.failed.length ? `, ${r.failed.length} failed` : ''}`));
    }
    printBanner(service);
    process.stdout.write(demoLoginsBanner(seed.logins, seed.loginsFile));
    await untilStopped();
  } finally {
    log.info('stopping the demo');
    await responders?.stop().catch((err) => log.warn('simulated responders did not stop cleanly', err));
    await simulation?.stop().catch((err) => log.warn('simulators did not stop cleanly', err));
    await service.stop();
  }
  return EXIT_OK;
}
