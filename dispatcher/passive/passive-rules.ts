import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import {
  QUEUES, SWEEP_RULES, rosterCheckJobId, sweepSchedulerId, type RouteJob, type SweepJob, type SweepRule,
} from '../../domain/queues.js';
import { toClock, type Clock } from '../../domain/clock.js';
import { nextShiftBoundary } from '../../domain/shift-clock.js';
import { BullmqDelays, ClockDelays, type JobDelays } from '../job-delays.js';
import { redisNamesFor } from '../../store/redis-namespace.js';
import { sweepBatteryLow } from './battery-low-rule.js';
import { sweepCheckIns } from './check-in-rule.js';
import { sweepDeviceOffline } from './device-offline-rule.js';
import { sweepInactivity } from './inactivity-rule.js';
import { sweepLearnedSilence } from './learned-silence-rule.js';
import { lastBaselineRefresh, refreshBaselines } from '../../store/passive-baseline-repository.js';
import { MIN_HISTORY_DAYS } from '../../domain/room-aware-silence.js';
import { RedisPassiveOutbox, type PassiveOutbox } from './passive-outbox.js';
import { checkRosterGaps } from './roster-gap-rule.js';
import type { ResidentCaller } from './resident-caller.js';
import type { PassiveConfig, PassiveLog, RuleContext } from './rule-context.js';

/** A sweep job; the roster check armed for a shift start also carries that instant. */
export type PassiveJob = SweepJob & { shiftStartsAt?: string };

export interface PassiveRulesDeps {
  pool: pg.Pool;
  redisUrl: string;
  config: PassiveConfig;
  log: PassiveLog;
  /** Every "now" of the rules (DESIGN §11); default the wall clock. */
  clock?: Clock | (() => Date);
  /** How the sweeps and shift-start checks wait: BullMQ schedulers (default) or the clock (`simulate day`). */
  delays?: 'bullmq' | 'clock';
  queuePrefix?: string;
  /** How often inactivity, check_in, device_offline and battery_low are swept (default 30 s). */
  sweepEveryMs?: number;
  /** How often rosters are re-checked for gaps between shift starts (default 5 min). */
  rosterSweepEveryMs?: number;
  /** The check-in's call to the resident's phone (voice channels); without it that stage is skipped. */
  caller?: ResidentCaller;
  /** Called after each sweep with its rule and result (metrics, tests). */
  onSweep?: (rule: SweepRule, result: unknown) => void;
}

const DEFAULT_SWEEP_MS = 30_000;
const DEFAULT_ROSTER_SWEEP_MS = 5 * 60_000;
/** Each home's rhythm is relearned once a day (and at start). */
const BASELINE_EVERY_MS = 24 * 3_600_000;
const KEEP = { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } };
/** Shift-start checks stay findable by id for a week, so re-arming the same boundary is a no-op. */
const KEEP_SHIFT_CHECKS = { removeOnComplete: { age: 7 * 86_400, count: 1000 }, removeOnFail: { age: 7 * 86_400 } };

/**
 * The passive rules of DESIGN §4 (issue 4 items 3, 11b, 11c): BullMQ job schedulers on
 * QUEUES.sweep produce one job per rule every interval — one scheduler per rule id however many
 * dispatchers upsert it — and any dispatcher's worker runs it with indexed queries, not a timer
 * per home. Roster gaps are also checked at every shift start by a delayed job with a fixed id
 * per boundary, re-armed for the next boundary when it runs, and once at start().
 * Every rule is idempotent under concurrency (unique indexes, DELETE … RETURNING claims), so
 * several dispatchers may sweep at once.
 */
export class PassiveRules {
  private workerRedis: Redis | undefined;
  private queueRedis: Redis | undefined;
  private fastRedis: Redis | undefined;
  private sweepQueue: Queue<PassiveJob> | undefined;
  private routeQueue: Queue<RouteJob> | undefined;
  private worker: Worker<PassiveJob> | undefined;
  private out: PassiveOutbox | undefined;
  private readonly clock: Clock;
  private readonly delays: JobDelays;

  constructor(private readonly deps: PassiveRulesDeps) {
    this.clock = toClock(deps.clock);
    this.delays = deps.delays === 'clock'
      ? new ClockDelays(this.clock, (err) => deps.log.warn('sweep could not be queued; the next one runs', err))
      : new BullmqDelays(this.clock);
  }

  async start(): Promise<void> {
    const { redisUrl, queuePrefix } = this.deps;
    const names = redisNamesFor(queuePrefix);
    const prefix = { prefix: names.queuePrefix };
    // Workers and the scheduler wait for Redis (BullMQ requires maxRetriesPerRequest: null for
    // workers); the producer for route jobs and pub/sub fails fast so a sweep never hangs on it.
    this.workerRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.queueRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.fastRedis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    for (const r of [this.workerRedis, this.queueRedis, this.fastRedis]) r.on('error', () => {}); // they reconnect
    this.sweepQueue = new Queue<PassiveJob>(QUEUES.sweep, { connection: this.queueRedis, ...prefix });
    this.routeQueue = new Queue<RouteJob>(QUEUES.route, { connection: this.fastRedis, ...prefix });
    this.sweepQueue.on('error', (err) => this.deps.log.warn('sweep queue', err));
    this.routeQueue.on('error', () => {});
    this.out = new RedisPassiveOutbox(this.fastRedis, this.routeQueue, this.deps.log, names);

    const every = this.deps.sweepEveryMs ?? DEFAULT_SWEEP_MS;
    const rosterEvery = this.deps.rosterSweepEveryMs ?? DEFAULT_ROSTER_SWEEP_MS;
    for (const rule of SWEEP_RULES) {
      const ms = rule === 'roster_gap' ? rosterEvery : rule === 'baseline' ? BASELINE_EVERY_MS : every;
      await this.delays.every(this.sweepQueue, sweepSchedulerId(rule), ms, { name: rule, data: { rule }, opts: KEEP });
    }
    this.worker = new Worker<PassiveJob>(QUEUES.sweep, (job) => this.run(job), {
      connection: this.workerRedis, concurrency: 1, ...prefix,
    });
    this.worker.on('error', (err) => this.deps.log.warn('sweep worker', err));
    this.worker.on('failed', (job, err) => this.deps.log.warn(`sweep ${job?.name ?? '?'} failed; the next one retries`, err));

    await this.armShiftStartCheck(this.clock.now());
    await checkRosterGaps(this.context()).catch((err) => this.deps.log.warn('roster gap check at start failed', err));
    await this.refreshStaleBaselines().catch((err) => this.deps.log.warn('baseline refresh at start failed; the daily one retries', err));
  }

  /**
   * At start, relearn only when the last learning is older than a day: the refresh reads 28 days
   * of every home's signals, and a restart (or a second dispatcher) should not wait for that.
   */
  private async refreshStaleBaselines(): Promise<unknown> {
    const last = await lastBaselineRefresh(this.deps.pool);
    if (last && this.clock.now().getTime() - last.getTime() < BASELINE_EVERY_MS) return null;
    return this.refreshBaselines();
  }

  /** Relearns every home's rhythm from its last 28 days (the daily 'baseline' job; `simulate day` after its history). */
  async refreshBaselines(): Promise<unknown> {
    if ((this.deps.config.PASSIVE_POLICY ?? 'learned') !== 'learned') return null;
    const r = await refreshBaselines(this.deps.pool, { now: this.clock.now(), tz: this.deps.config.GUARDIAN_TZ, minHistoryDays: MIN_HISTORY_DAYS });
    this.deps.log.info(`baselines: ${r.rows} room/hour rows for ${r.households} homes, ${r.enough} with enough history`);
    return r;
  }

  async stop(): Promise<void> {
    this.delays.close();
    await this.worker?.close().catch(() => {});
    await this.sweepQueue?.close().catch(() => {});
    await this.routeQueue?.close().catch(() => {});
    for (const r of [this.workerRedis, this.queueRedis, this.fastRedis]) r?.disconnect();
    this.worker = undefined;
    this.sweepQueue = undefined;
    this.routeQueue = undefined;
    this.workerRedis = this.queueRedis = this.fastRedis = undefined;
  }

  private context(now = this.clock.now()): RuleContext {
    return { pool: this.deps.pool, now, config: this.deps.config, log: this.deps.log, out: this.out!, ...(this.deps.caller ? { caller: this.deps.caller } : {}) };
  }

  private async run(job: Job<PassiveJob>): Promise<unknown> {
    const rule = (job.data.rule ?? job.name) as SweepRule;
    const ctx = this.context();
    let result: unknown;
    switch (rule) {
      case 'inactivity': result = await sweepInactivity(ctx); break;
      case 'check_in': result = await sweepCheckIns(ctx); break;
      case 'device_offline': result = await sweepDeviceOffline(ctx); break;
      case 'battery_low': result = await sweepBatteryLow(ctx); break;
      case 'learned_silence': result = await sweepLearnedSilence(ctx); break;
      case 'baseline': result = await this.refreshBaselines(); break;
      case 'roster_gap': {
        const starts = job.data.shiftStartsAt ? new Date(job.data.shiftStartsAt) : undefined;
        // A shift-start job may run a hair early by our clock: judge the new shift, not the old.
        const at = starts && starts.getTime() > ctx.now.getTime() ? starts : ctx.now;
        result = await checkRosterGaps(ctx, at);
        if (starts) await this.armShiftStartCheck(at);
        break;
      }
      default: this.deps.log.warn(`unknown sweep rule ${String(rule)}`);
    }
    this.deps.onSweep?.(rule, result);
    return undefined;
  }

  /** Arms the roster check of the next shift start after `from` (fixed job id per boundary). */
  private async armShiftStartCheck(from: Date): Promise<void> {
    const boundary = nextShiftBoundary(from, this.deps.config.GUARDIAN_TZ, this.deps.config.DAY_SHIFT);
    await this.delays.add(this.sweepQueue!, [{
      name: 'roster_gap', data: { rule: 'roster_gap', shiftStartsAt: boundary.toISOString() },
      jobId: rosterCheckJobId(boundary), dueAt: boundary, opts: KEEP_SHIFT_CHECKS,
    }]);
  }
}
