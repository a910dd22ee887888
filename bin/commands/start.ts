import { RedisNotInstalledError } from '../../store/redis-server.js';
import { TimescaleNotPreloadedError } from '../../store/timescale-not-preloaded-error.js';
import { loadConfig } from '../runtime/load-config.js';
import { createLogger } from '../runtime/logger.js';
import { PortTakenError } from '../runtime/ports.js';
import { ServiceAlreadyRunningError, startService, type RunningService } from '../runtime/service.js';
import { untilStopped } from '../runtime/until-stopped.js';

const USAGE = `usage: npm start   (or: npx guardian start)

Runs the whole service in one process: MQTT gateway, HTTP API and console.
Configuration comes from environment variables or .env (see README, "Configuration").`;

/** `npm start`: run until SIGTERM/SIGINT, then shut down cleanly. */
export default async function start(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(USAGE + '\n'); return 0; }
  if (argv.length > 0) { process.stderr.write(`guardian start: unexpected argument "${argv[0]}"\n${USAGE}\n`); return 2; }
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const service = await startOrExplain(() => startService(config, log));
  if (!service) return 1;
  printBanner(service);
  await untilStopped();
  log.info('shutting down: closing connections, flushing telemetry');
  await service.stop();
  log.info('stopped');
  return 0;
}

/** Known start-up failures become one line saying what to do; anything else is a bug and keeps its stack. */
export async function startOrExplain<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PortTakenError || err instanceof ServiceAlreadyRunningError || err instanceof RedisNotInstalledError || err instanceof TimescaleNotPreloadedError) {
      process.stderr.write(`guardian: ${err.message}\n`);
      return null;
    }
    throw err;
  }
}

export function printBanner(s: RunningService): void {
  const servesPeople = s.role === 'all' || s.role === 'api';
  const runsGateway = s.role === 'all' || s.role === 'gateway';
  const lines = [
    '',
    `  365 Cloud Guardian (365云守护) is running${s.role === 'all' ? '' : ` (ROLE=${s.role})`}`,
    servesPeople
      ? `  Console + API   ${s.httpUrl}/        (API docs: ${s.httpUrl}/api/docs)`
      : `  Health          ${s.httpUrl}/readyz   (metrics: ${s.httpUrl}/metrics)`,
    ...(runsGateway ? [`  MQTT            ${s.mqttUrl}`, `  MQTT over WS    ${s.mqttWsUrl}`] : []),
  ];
  if (s.adminPassword) {
    lines.push('', `  First start: console login  admin / ${s.adminPassword}`,
      '  This password is shown only once. Change it with: npx guardian user passwd --username admin');
  }
  process.stdout.write(lines.join('\n') + '\n\n');
}
