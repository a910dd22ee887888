import { join } from 'node:path';
import { EXIT_FAIL, EXIT_OK, fail, oneLine, parseCommandArgs, positiveInt, simulatedStart, str, usageError, UsageError, type Parsed } from './args.js';
import { loadConfig } from '../runtime/load-config.js';
import { untilStopped } from '../runtime/until-stopped.js';
import { runningService } from '../runtime/service-file.js';
import { CredentialsError, groupByHousehold, readCredentials, type DeviceCredential } from '../../simulators/credentials.js';
import { startHouseholdSimulation, type SimulationProgress } from '../../simulators/household-simulation.js';
import { INCIDENT_TYPES, IncidentNotPossibleError, isIncidentType, isSosVariant, SOS_VARIANTS } from '../../simulators/incidents.js';
import { runLoad } from '../../simulators/load-generator.js';
import { playIncident } from '../../simulators/play-incident.js';

const USAGE = `usage: npx guardian simulate [options]                      household routines
       npx guardian simulate incident --household <id> --type <type> [options]
       npx guardian simulate responders [options]                simulated responders (see --help there)
       npx guardian simulate day [options]                       a community day on a virtual clock, measured (see --help there)
       npx guardian simulate --load [--devices N] [--rate R] [--seconds S] [options]

Simulated devices talk to the gateway over MQTT only, with the demo credentials written by
\`npx guardian seed --demo\`. Events carry real time; --speed only compresses the schedule.

Routines (default): a day of each senior — wake 6-7h, bathroom, kitchen, the morning market,
a nap, evening TV, bed 21-22h, a night-time bathroom trip — heartbeats, slow battery drain,
occasional dropouts, and random SOS/fall/inactivity incidents. Progress every 10 s on stderr;
Ctrl-C (SIGINT/SIGTERM) disconnects cleanly.
  --households <n>     the first n households of the credentials file (default all)
  --speed <x>          simulated time = real time × x (default 1; 60 plays a day in 24 min)
  --incident-rate <r>  random incidents per simulated hour per 200 households (default 6); 0 = none
  --start <HH:MM>      simulated time of day to start at (default now)
  --duration <s>       stop after s real seconds (default: run until interrupted)

incident: connects the household's device(s), plays the incident, prints each event and
whether its PUBACK arrived; exit 0 when all arrived.
  --household <id>     e.g. h-demo-0001
  --type <type>        ${INCIDENT_TYPES.join(' | ')}
  --variant <v>        for sos: ${SOS_VARIANTS.join(' | ')} (default random)
  --duration <s>       inactivity: quiet period (default 60); sos/fall/smoke: stay connected
                       this long for replies such as alert_ack (default 2); offline: wait (default 0)

--load: N devices publish QoS 1 telemetry at an aggregate rate; prints one JSON line with
sent/acked/failed and p50/p99 PUBACK latency; exit 0 when every message was acked.
  --devices <n>        the first n devices of the credentials file (default 100)
  --rate <r>           messages per second across all devices (default 200)
  --seconds <s>        how long to publish (default 30)

Common:
  --url <url>          mqtt://host:port (default: the running service, from DATA_DIR/service.json)
  --devices-file <p>   credentials file (default DATA_DIR/demo-devices.json)
  -h, --help           this help`;

const COMMON = { url: { type: 'string' }, 'devices-file': { type: 'string' } } as const;
const ROUTINE_OPTIONS = {
  ...COMMON, households: { type: 'string' }, speed: { type: 'string' }, 'incident-rate': { type: 'string' },
  start: { type: 'string' }, duration: { type: 'string' },
} as const;
const INCIDENT_OPTIONS = { ...COMMON, household: { type: 'string' }, type: { type: 'string' }, variant: { type: 'string' }, duration: { type: 'string' } } as const;
const LOAD_OPTIONS = { ...COMMON, load: { type: 'boolean' }, devices: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' } } as const;

export default async function simulateCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'responders') return (await import('./simulate-responders.js')).default(argv.slice(1));
  if (argv[0] === 'day') return (await import('./simulate-day.js')).default(argv.slice(1));
  const mode = argv[0] === 'incident' ? 'incident' : argv.includes('--load') ? 'load' : 'routine';
  const options = mode === 'incident' ? INCIDENT_OPTIONS : mode === 'load' ? LOAD_OPTIONS : ROUTINE_OPTIONS;
  const parsed = parseCommandArgs(mode === 'incident' ? argv.slice(1) : argv, options, USAGE);
  if (typeof parsed === 'number') return parsed;
  try {
    if (mode === 'incident') return await incident(parsed);
    if (mode === 'load') return await load(parsed);
    return await routine(parsed);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    if (err instanceof CredentialsError || err instanceof IncidentNotPossibleError) return fail(err.message);
    return fail(`simulate ${mode === 'routine' ? '' : mode + ' '}failed: ${oneLine(err)}`);
  }
}

/** A number flag within [min, max], or a UsageError naming it. */
function numberFlag(p: Parsed, flag: string, fallback: number, min: number, max: number): number {
  const v = str(p, flag);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got "${v}"`);
  return n;
}

interface Setup { url: string; credentials: DeviceCredential[]; file: string }

/** The broker URL (--url, else the running service) and the credentials. */
async function setup(p: Parsed): Promise<Setup> {
  const config = loadConfig();
  let url = str(p, 'url');
  if (url !== undefined && !/^(mqtts?|wss?):\/\/[^/]/.test(url)) throw new UsageError(`--url must look like mqtt://host:port, got "${url}"`);
  if (url === undefined) {
    const service = runningService(config.DATA_DIR);
    if (!service) {
      throw new Error(`no --url given and no service is running on DATA_DIR=${config.DATA_DIR} (no live service.json); start it with \`npm start\` or pass --url mqtt://host:port`);
    }
    url = service.mqttUrl;
  }
  const file = str(p, 'devices-file') ?? join(config.DATA_DIR, 'demo-devices.json');
  return { url, credentials: await readCredentials(file), file };
}

const err = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

async function routine(p: Parsed): Promise<number> {
  const households = str(p, 'households') === undefined ? undefined : positiveInt(str(p, 'households'), 'households', 1);
  const speed = numberFlag(p, 'speed', 1, 0.01, 100_000);
  const incidentRate = numberFlag(p, 'incident-rate', 6, 0, 10_000);
  const durationS = str(p, 'duration') === undefined ? undefined : numberFlag(p, 'duration', 0, 0.1, 365 * 86_400);
  const tz = loadConfig().GUARDIAN_TZ;
  const startAt = simulatedStart(str(p, 'start'), tz);
  const { url, credentials, file } = await setup(p);

  const homes = groupByHousehold(credentials).length;
  if (homes === 0) return fail(`${file} lists no devices: run \`npx guardian seed --demo\` first`);
  if (households !== undefined && households > homes) err(`simulate: only ${homes} households in ${file}; simulating all of them`);
  const sim = startHouseholdSimulation({
    url, credentials, households, speed, incidentRate, tz, startAt, log: err,
    onProgress: (pr) => err(progressLine(pr)),
  });
  err(`simulate: ${sim.households.length} households → ${url} (speed ×${speed}, ${incidentRate} incidents/sim-hour/200 homes); Ctrl-C to stop`);

  const stopReason = await untilStopped({
    durationS,
    early: sim.ready.then((r) => (r.connected === 0 && r.failed.length > 0 ? `no device could connect: ${r.failed[0]!.error}` : undefined)),
  });
  err(`simulate: stopping (${stopReason}); disconnecting cleanly…`);
  const last = sim.progress();
  await sim.stop();
  err(progressLine({ ...last, connected: 0 }));
  return (await sim.ready).connected > 0 ? EXIT_OK : EXIT_FAIL;
}

function progressLine(pr: SimulationProgress): string {
  return `simulate: sim ${pr.simTime} · ${pr.connected}/${pr.devices} connected${pr.refused ? ` (${pr.refused} refused)` : ''}`
    + ` · ${pr.eventsPerMin} events/min · sent ${pr.sent}, acked ${pr.acked}, failed ${pr.failed} · incidents ${pr.incidents}`;
}

async function incident(p: Parsed): Promise<number> {
  const householdId = str(p, 'household');
  const type = str(p, 'type');
  const variant = str(p, 'variant');
  if (!householdId) throw new UsageError('--household <id> is required');
  if (!type) throw new UsageError(`--type is required: ${INCIDENT_TYPES.join(', ')}`);
  if (!isIncidentType(type)) throw new UsageError(`--type must be one of ${INCIDENT_TYPES.join(', ')}, got "${type}"`);
  if (variant !== undefined && (type !== 'sos' || !isSosVariant(variant))) {
    throw new UsageError(type === 'sos' ? `--variant must be one of ${SOS_VARIANTS.join(', ')}, got "${variant}"` : '--variant applies to --type sos only');
  }
  const durationS = str(p, 'duration') === undefined ? undefined : numberFlag(p, 'duration', 0, 0, 86_400);
  const { url, credentials, file } = await setup(p);
  const household = groupByHousehold(credentials).find((h) => h.householdId === householdId);
  if (!household) return fail(`household ${householdId} is not in ${file}`);

  const report = await playIncident({ url, household, type, variant: variant as Parameters<typeof playIncident>[0]['variant'], durationS, log: err });
  for (const s of report.sent) {
    out(`sent ${s.type} ${s.eventId} from ${s.deviceId}: ${s.acked ? `PUBACK in ${s.latencyMs!.toFixed(1)} ms` : `NO PUBACK (${s.error})`}`);
  }
  for (const f of report.connectFailures) err(`${f.deviceId}: ${f.error}`);
  const acked = report.sent.filter((s) => s.acked).length;
  out(`incident ${type}${report.variant ? ` (${report.variant})` : ''} on ${householdId}: ${report.connected}/${report.devices} devices connected, `
    + `${report.sent.length} events sent, ${acked} PUBACKs${report.otherSent ? `, ${report.otherSent} heartbeats/other` : ''}`
    + `${report.commands ? `, ${report.commands} commands received` : ''}`);
  return report.allAcked && report.connectFailures.length === 0 ? EXIT_OK : EXIT_FAIL;
}

async function load(p: Parsed): Promise<number> {
  const devices = positiveInt(str(p, 'devices'), 'devices', 100);
  const rate = numberFlag(p, 'rate', 200, 0.1, 1_000_000);
  const seconds = numberFlag(p, 'seconds', 30, 0.1, 86_400);
  const { url, credentials, file } = await setup(p);
  if (credentials.length === 0) return fail(`${file} lists no devices: run \`npx guardian seed --demo\` first`);
  if (devices > credentials.length) err(`simulate --load: only ${credentials.length} devices in ${file}; using all of them`);
  err(`simulate --load: ${Math.min(devices, credentials.length)} devices, ${rate} msg/s for ${seconds} s → ${url}`);
  const report = await runLoad({ url, devices: credentials.slice(0, devices), rate, seconds, log: err });
  out(JSON.stringify(report));
  return report.sent > 0 && report.acked === report.sent ? EXIT_OK : EXIT_FAIL;
}
