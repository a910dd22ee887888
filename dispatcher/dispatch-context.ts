import type pg from 'pg';
import type { Clock } from '../domain/clock.js';
import type { Config } from '../domain/config.js';
import type { LiveEvent } from '../domain/live-events.js';
import type { CommunityRosterCache } from './community-roster-cache.js';
import type { DispatcherLog } from './dispatcher-log.js';
import type { EscalationTimers } from './escalation-timers.js';
import type { NotificationSender } from './notification-sender.js';

export type DispatcherConfig = Pick<Config,
  'ACK_TIMEOUT_S' | 'SLA_WARN_S' | 'SLA_ONSITE_S' | 'RECONCILE_S' | 'ARRIVE_REMIND_S' | 'GUARDIAN_TZ' | 'DAY_SHIFT'
  | 'DISPATCH_POLICY' | 'DISPATCH_FIRST_WAVE' | 'DISPATCH_WAVE_S' | 'DISPATCH_NIGHT_READY_S' | 'BACKUP_AFTER_S' | 'BACKUP_MARGIN_S'>;

/** What the routing and timer handlers share; built by Dispatcher.start(). */
export interface DispatchContext {
  pool: pg.Pool;
  config: DispatcherConfig;
  /** Every "now" and every wait of the dispatcher (DESIGN §11). */
  clock: Clock;
  log: DispatcherLog;
  sender: NotificationSender;
  timers: EscalationTimers;
  /** Publishes live events appended in committed transactions (fire-and-forget). */
  publish(events: LiveEvent[]): void;
  /** Responders and rosters per community for a few seconds (community-roster-cache.ts); none = read each time. */
  rosters?: CommunityRosterCache;
}
