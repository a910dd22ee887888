import type { Config } from './config.js';

/**
 * How long each growing table keeps its rows (issue 21): signals 180 days as TimescaleDB's
 * retention policy does, the audit log longest, the live feed only as long as a screen may need
 * to resume from it. 0 keeps a table for ever. Pure: the deleting is dispatcher/maintenance/.
 */
export const RETAINED_TABLES = ['signals', 'live_events', 'notifications', 'quarantine', 'audit_log'] as const;
export type RetainedTable = (typeof RETAINED_TABLES)[number];

export type RetentionDays = Record<RetainedTable, number>;

/** The environment variable that sets each table's days (README: Configuration). */
export const RETENTION_VARIABLE = {
  signals: 'RETENTION_SIGNALS_D',
  live_events: 'RETENTION_LIVE_EVENTS_D',
  notifications: 'RETENTION_NOTIFICATIONS_D',
  quarantine: 'RETENTION_QUARANTINE_D',
  audit_log: 'RETENTION_AUDIT_LOG_D',
} as const satisfies Record<RetainedTable, keyof Config>;

export function retentionDays(config: Pick<Config, (typeof RETENTION_VARIABLE)[RetainedTable]>): RetentionDays {
  return Object.fromEntries(RETAINED_TABLES.map((t) => [t, config[RETENTION_VARIABLE[t]]])) as RetentionDays;
}

const DAY_MS = 86_400_000;

/** Rows older than this instant go; null keeps the table. */
export function retentionCutoff(nowMs: number, days: number): Date | null {
  return days > 0 ? new Date(nowMs - days * DAY_MS) : null;
}

/**
 * The dedupe window of DESIGN §2: the same (device, event id) within 24 h is stored once. Keys
 * are kept an hour longer than the window, so a key is never pruned while it may still match.
 */
export const DEDUPE_WINDOW_MS = DAY_MS;
export const DEDUPE_KEEP_MS = DAY_MS + 3_600_000;
