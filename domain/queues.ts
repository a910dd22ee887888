/**
 * Queue names and job payloads shared by the producers (gateway, api) and the dispatcher,
 * so nobody imports the dispatcher to enqueue work (DESIGN §8).
 */
export const QUEUES = {
  /** A new alert to route; jobId = alertId so a re-enqueue is a no-op. */
  route: 'guardian-route',
  /** Delayed per-alert timers: ack timeout per level, SLA warn/breach, arrival reminder (§4). */
  escalation: 'guardian-escalation',
  /** Repeating passive-rule sweeps run by a BullMQ job scheduler, not a timer per home (§4). */
  sweep: 'guardian-sweep',
  /** Delayed steps of a person's ladder: SMS, then a voice call, while nobody accepted (issue 16). */
  ladder: 'guardian-ladder',
  /** Housekeeping on a BullMQ job scheduler: retention and the dedupe-key prune (issue 21). */
  maintenance: 'guardian-maintenance',
} as const;

export interface RouteJob { alertId: string }

/** Redis pub/sub channel on which live events fan out to API instances. */
export const LIVE_CHANNEL = 'guardian:live';

/**
 * Jobs of the escalation queue; the job name is `type`. Every handler re-reads the alert and
 * does nothing if it moved on (DESIGN §4), so a duplicate or late job is harmless.
 */
export type EscalationJob =
  /** No accept within ACK_TIMEOUT_S of notifying `level`: escalate if still at that level. */
  | { type: 'ack_timeout'; alertId: string; level: number }
  /** SLA_WARN_S after the first signal and nobody on site: amber + supervisor. */
  | { type: 'sla_warn'; alertId: string }
  /** SLA_ONSITE_S after the first signal and nobody on site: onsite_breached, red. */
  | { type: 'sla_breach'; alertId: string }
  /** ARRIVE_REMIND_S after an accept and no arrival: remind the responder who accepted. */
  | { type: 'arrive_remind'; alertId: string; acceptedBy: string }
  /** DISPATCH_WAVE_S after routing and nobody accepted (DISPATCH_POLICY=nearest): page the next wave. */
  | { type: 'dispatch_wave'; alertId: string; wave: number }
  /** The holder not at the door by expected arrival + margin or BACKUP_AFTER_S: send a backup (issue 15). */
  | { type: 'backup'; alertId: string; acceptedAtMs: number };

export type EscalationJobType = EscalationJob['type'];

/** Passive rules swept periodically (DESIGN §4 passive rules, manual monitoring, roster gaps). */
export const SWEEP_RULES = ['inactivity', 'device_offline', 'battery_low', 'check_in', 'roster_gap', 'learned_silence', 'baseline'] as const;
export type SweepRule = (typeof SWEEP_RULES)[number];
export interface SweepJob { rule: SweepRule }

/*
 * Fixed job ids, so arming a timer twice (reconciler, retries, several dispatchers) is a no-op.
 * BullMQ 6.7 refuses a custom id containing ':' unless it has exactly three ':'-separated parts
 * ("Custom Id cannot contain :", Job.validateOptions), so every id here has three parts. That is
 * why DESIGN §4's `{alertId}:sla-warn` is spelled `{alertId}:sla:warn`. Alert ids are uuids.
 */
export const ackJobId = (alertId: string, level: number) => `${alertId}:ack:${level}`;
export const slaWarnJobId = (alertId: string) => `${alertId}:sla:warn`;
export const slaBreachJobId = (alertId: string) => `${alertId}:sla:breach`;
export const arriveRemindJobId = (alertId: string) => `${alertId}:arrive:remind`;
export const dispatchWaveJobId = (alertId: string, wave: number) => `${alertId}:wave:${wave}`;
/** Per accept: a hand-back and a new accept get their own backup timer. */
export const backupJobId = (alertId: string, acceptedAtMs: number) => `${alertId}:backup:${acceptedAtMs}`;
/** One roster-gap check per shift start (the instant from nextShiftBoundary). */
export const rosterCheckJobId = (shiftStartsAt: Date) => `roster:check:${shiftStartsAt.getTime()}`;
/** Scheduler id of a sweep rule (BullMQ upsertJobScheduler keeps one per id). */
export const sweepSchedulerId = (rule: SweepRule) => `sweep-${rule}`;

/** The fixed id of an escalation job, from its payload. */
export function escalationJobId(job: EscalationJob): string {
  switch (job.type) {
    case 'ack_timeout': return ackJobId(job.alertId, job.level);
    case 'sla_warn': return slaWarnJobId(job.alertId);
    case 'sla_breach': return slaBreachJobId(job.alertId);
    case 'arrive_remind': return arriveRemindJobId(job.alertId);
    case 'dispatch_wave': return dispatchWaveJobId(job.alertId, job.wave);
    case 'backup': return backupJobId(job.alertId, job.acceptedAtMs);
  }
}

/**
 * Downlink commands to devices travel on this Redis channel: the dispatcher and the API publish
 * `DownlinkMessage`s, every gateway subscribes and delivers to the devices connected to it
 * (guardian/v1/{id}/cmd). Fire-and-forget by nature: a device that is offline misses it, as it
 * would miss a speaker announcement; alert state never depends on it.
 */
export const DOWNLINK_CHANNEL = 'guardian:downlink';
export interface DownlinkMessage { deviceIds: string[]; command: import('./topics.js').DeviceCommand }

/**
 * A revoked device's live MQTT session is cut at once, wherever it is connected: the API and
 * the CLI publish `DeviceRevokedMessage`s here after the revocation commits, every gateway
 * subscribes and closes the named clients it holds. The database stays the truth: a gateway
 * that missed the message (Redis down) still refuses the device's next CONNECT (CONNACK 5).
 */
export const DEVICE_REVOKED_CHANNEL = 'guardian:device-revoked';
export interface DeviceRevokedMessage { deviceIds: string[] }

/**
 * One later step of a person's ladder (issue 16, domain/notification-ladder.ts): when it fires,
 * the handler re-reads the alert and sends on `group` only while nobody has accepted, so an
 * accepted alert never rings a phone. `recipient` is the notifier's Recipient, as plain data.
 */
export interface LadderJob {
  alertId: string;
  round: string;
  tier: number | null;
  step: number;
  group: 'sms' | 'voice';
  recipient: { kind: 'responder' | 'family' | 'community'; responderId?: string; role?: string; name: string; relation?: string; phone: string };
}

/** Fixed id per (alert, round, person, step): three ':'-parts as BullMQ 6.7 wants (see above). */
export function ladderJobId(job: Pick<LadderJob, 'alertId' | 'round' | 'step' | 'recipient'>): string {
  const who = job.recipient.kind === 'responder' ? `r.${job.recipient.responderId ?? ''}` : `p.${job.recipient.phone.replace(/\D/g, '')}`;
  return `${job.alertId}:ladder:${`${job.round}.${job.step}.${who}`.replace(/:/g, '.')}`;
}

/** Redis channel the API and the CLI publish on after channel settings change (the health check re-runs). */
export const CHANNELS_CHANGED_CHANNEL = 'guardian:channels-changed';
