import type pg from 'pg';
import type { Config } from '../../domain/config.js';
import type { PassiveOutbox } from './passive-outbox.js';
import type { ResidentCaller } from './resident-caller.js';

/** The few log methods the rules use (the service's Logger fits). */
export interface PassiveLog {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
}

/** The settings the passive rules read (DESIGN §1, issue 4 item 11c). */
export type PassiveConfig = Pick<Config, 'GUARDIAN_TZ' | 'DAY_SHIFT' | 'CHECKIN_GRACE_S'> & Partial<Pick<Config, 'PASSIVE_POLICY'>>;

/** What one sweep of one rule works with; `now` comes from the injected clock, once per sweep. */
export interface RuleContext {
  pool: pg.Pool;
  now: Date;
  config: PassiveConfig;
  log: PassiveLog;
  out: PassiveOutbox;
  /** The check-in's call to the resident's phone; without it that stage is skipped (and noted). */
  caller?: ResidentCaller;
}
