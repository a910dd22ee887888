import { parseArgs, type ParseArgsConfig } from 'node:util';
import type pg from 'pg';
import { loadConfig } from '../runtime/load-config.js';
import { openDatabase } from '../runtime/database.js';
import type { Config } from '../../domain/config.js';
import { migrate } from '../../store/migrate.js';
import { localMidnight } from '../../simulators/clock.js';

/**
 * Shared plumbing of the operations CLI: strict argument parsing with usage on error,
 * logs on stderr (stdout carries results only, so `--json` output can be piped), and a
 * database handle that is migrated first and always closed.
 */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** Exit codes: 0 ok, 1 the operation failed, 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** Bad usage found after parsing (e.g. a malformed number): one line plus usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Parsed {
  /** Flag values by name: a string for `type: 'string'`, true for a boolean flag that was given. */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses argv strictly (an unknown flag is an error). Returns the parsed values, or an exit
 * code when it already printed help (0) or a one-line error plus usage (2).
 */
export function parseCommandArgs(argv: string[], options: Options, usage: string, opts: { maxPositionals?: number } = {}): Parsed | number {
  let parsed: Parsed;
  try {
    const r = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    parsed = { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (err) {
    return usageError(parseErrorMessage(err), usage);
  }
  if (parsed.values.help) {
    process.stdout.write(usage.trimEnd() + '\n');
    return EXIT_OK;
  }
  const max = opts.maxPositionals ?? 0;
  if (parsed.positionals.length > max) return usageError(`unexpected argument "${parsed.positionals[max]}"`, usage);
  return parsed;
}

/** node's parseArgs messages, shortened to what the person typed wrong. */
function parseErrorMessage(err: unknown): string {
  const message = oneLine(err);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  return message.replace(/\.$/, '');
}

/** A string flag's value (undefined when absent). */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function usageError(message: string, usage: string): number {
  process.stderr.write(`guardian: ${message}\n\n${usage.trimEnd()}\n`);
  return EXIT_USAGE;
}

/** A one-line failure on stderr and exit code 1. */
export function fail(message: string): number {
  process.stderr.write(`guardian: ${message}\n`);
  return EXIT_FAIL;
}

export function logToStderr(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A positive integer option, or a UsageError naming the flag. */
export function positiveInt(value: string | undefined, flag: string, fallback: number, max = 1_000_000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${flag} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

/**
 * Opens the database (DATABASE_URL, or the embedded PostgreSQL in DATA_DIR: the running
 * service's postmaster when there is one, else started here and stopped on close), applies
 * pending migrations (idempotent and cheap), runs fn and always closes.
 */
export async function withDatabase<T>(
  fn: (pool: pg.Pool, config: Config) => Promise<T>,
  opts: { log?: (m: string) => void; migrationLog?: (m: string) => void } = {},
): Promise<T> {
  const config = loadConfig();
  const log = opts.log ?? logToStderr;
  const db = await openDatabase(config, log, 4);
  try {
    await migrate(db.pool, opts.migrationLog ?? log);
    return await fn(db.pool, config);
  } finally {
    await db.close();
  }
}

export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/**
 * `--start HH:MM` of the simulators: that local time today in `tz`, as epoch ms (undefined when
 * not given). Lets a demo started at 3 a.m. play a morning instead of sleeping homes.
 */
export function simulatedStart(value: string | undefined, tz: string, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) throw new UsageError(`--start must be HH:MM, got "${value}"`);
  return localMidnight(now, tz) + (Number(value.slice(0, 2)) * 60 + Number(value.slice(3))) * 60_000;
}
