import { EmbeddedPostgresError } from '../../store/embedded-postgres.js';
import { RedisNotInstalledError } from '../../store/redis-server.js';
import { TimescaleNotPreloadedError } from '../../store/timescale-not-preloaded-error.js';
import { oneLine } from './args.js';
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

/**
 * A start-up failure is one line on stderr saying what to do, never a stack trace: the known
 * ones (a port taken, a second service, no redis-server, the embedded database) say it
 * themselves; anything else is named with its cause, and LOG_LEVEL=debug adds the stack.
 */
export async function startOrExplain<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    process.stderr.write(`guardian: ${startFailure(err)}\n`);
    if (/^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '') && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return null;
  }
}

export function startFailure(err: unknown): string {
  if (err instanceof PortTakenError || err instanceof ServiceAlreadyRunningError || err instanceof RedisNotInstalledError
    || err instanceof EmbeddedPostgresError || err instanceof TimescaleNotPreloadedError) return oneLine(err);
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(e.code)) {
    const where = e.address ? ` ${e.address}${e.port ? ':' + e.port : ''}` : '';
    return `could not start: cannot connect to${where} (${e.code}). Check that the server is up and that DATABASE_URL / REDIS_URL point at it.`;
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM') {
    return `could not start: ${oneLine(err)}. Give the user running the service access to that path, or set DATA_DIR to a folder it owns.`;
  }
  return `could not start: ${oneLine(err)}. Run again with LOG_LEVEL=debug for details.`;
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
