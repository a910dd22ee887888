import { join } from 'node:path';
import { EXIT_OK, fail, oneLine, parseCommandArgs, str, usageError, UsageError, type Parsed } from './args.js';
import { loadConfig } from '../runtime/load-config.js';
import { runningService } from '../runtime/service-file.js';
import { fieldResponders, readResponderLogins, ResponderLoginsError } from '../../simulators/responder-logins.js';
import { startResponderSimulation, type ResponderSimulationStats } from '../../simulators/responder-simulator.js';
import { untilStopped } from '../runtime/until-stopped.js';

const USAGE = `usage: npx guardian simulate responders [options]

Simulated field responders (grid workers, org specialists, property duty…) log in through the
HTTP API with the demo logins written by \`npx guardian seed --demo\`, and accept, reach and
resolve the alerts they are paged about: accept within 10-90 s, at the door 2-12 min later,
resolved with an outcome that fits the alert. A share of alerts is handled late (accepted
after the ack timeout, at the door after the 15-minute SLA), so escalation and breaches show.
Progress every 10 s on stderr; Ctrl-C (SIGINT/SIGTERM) stops.
  --url <url>           the HTTP API, http://host:port (default: the running service)
  --logins-file <path>  logins file (default DATA_DIR/demo-logins.json)
  --late-rate <r>       share of alerts handled late, 0-1 (default 0.2)
  --speed <x>           responders act x times faster than real time (default 1)
  --duration <s>        stop after s real seconds (default: run until interrupted)
  --seed <n>            replay the same decisions (default random)
  -h, --help            this help`;

const OPTIONS = {
  url: { type: 'string' }, 'logins-file': { type: 'string' }, 'late-rate': { type: 'string' },
  speed: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' },
} as const;

/** `npx guardian simulate responders …`; argv after "responders" (a leading "responders" is tolerated). */
export default async function simulateRespondersCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv[0] === 'responders' ? argv.slice(1) : argv, OPTIONS, USAGE);
  if (typeof parsed === 'number') return parsed;
  try {
    return await run(parsed);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, USAGE);
    if (err instanceof ResponderLoginsError) return fail(err.message);
    return fail(`simulate responders failed: ${oneLine(err)}`);
  }
}

function numberFlag(p: Parsed, flag: string, fallback: number, min: number, max: number): number {
  const v = str(p, flag);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got "${v}"`);
  return n;
}

const err = (line: string) => process.stderr.write(`${line}\n`);

async function run(p: Parsed): Promise<number> {
  const lateRate = numberFlag(p, 'late-rate', 0.2, 0, 1);
  const speed = numberFlag(p, 'speed', 1, 0.01, 100_000);
  const durationS = str(p, 'duration') === undefined ? undefined : numberFlag(p, 'duration', 0, 0.1, 365 * 86_400);
  const seed = str(p, 'seed') === undefined ? Math.floor(Math.random() * 2 ** 31) : numberFlag(p, 'seed', 0, 0, 2 ** 31);
  const config = loadConfig();
  let url = str(p, 'url');
  if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must look like http://host:port, got "${url}"`);
  if (url === undefined) {
    const service = runningService(config.DATA_DIR);
    if (!service) {
      throw new Error(`no --url given and no service is running on DATA_DIR=${config.DATA_DIR} (no live service.json); start it with \`npm start\` or pass --url http://host:port`);
    }
    url = service.httpUrl;
  }
  const file = str(p, 'logins-file') ?? join(config.DATA_DIR, 'demo-logins.json');
  const logins = await readResponderLogins(file);
  const people = fieldResponders(logins);
  if (people.length === 0) return fail(`${file} lists no responder logins: run \`npx guardian seed --demo\` first`);

  const sim = startResponderSimulation({ url, logins, lateRate, speed, seed, log: err });
  const ready = await sim.ready;
  for (const f of ready.failed.slice(0, 5)) err(`simulate responders: ${f.username} could not log in: ${f.error}`);
  if (ready.loggedIn === 0) {
    await sim.stop();
    return fail(`no responder could log in at ${url}`);
  }
  err(`simulate responders: ${ready.loggedIn}/${people.length} responders logged in at ${url} (speed ×${speed}, late rate ${lateRate}, seed ${seed}); Ctrl-C to stop`);
  const progress = setInterval(() => err(progressLine(sim.stats())), 10_000);
  progress.unref();
  const reason = await untilStopped({ durationS });
  clearInterval(progress);
  err(`simulate responders: stopping (${reason})`);
  await sim.stop();
  err(progressLine(sim.stats()));
  return EXIT_OK;
}

function progressLine(s: ResponderSimulationStats): string {
  return `simulate responders: ${s.loggedIn}/${s.responders} logged in · accepted ${s.accepted} (${s.late} late) · on site ${s.arrived}`
    + ` · resolved ${s.resolved} · taken by others ${s.conflicts} · errors ${s.errors}`;
}
