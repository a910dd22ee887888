import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { LiveEvent } from '../domain/live-events.js';
import { QUEUES, type EscalationJob } from '../domain/queues.js';
import { TurnLivePublisher } from '../store/live-publisher.js';
import { redisNamesFor } from '../store/redis-namespace.js';
import { AlertChangeWatcher } from './alert-change-watcher.js';
import { ChannelParts, providerNotifiers, type ChannelPartsOptions } from './channel-parts.js';
import { CommunityRosterCache } from './community-roster-cache.js';
import { toClock, type Clock } from '../domain/clock.js';
import type { DispatchContext, DispatcherConfig } from './dispatch-context.js';
import type { DispatcherLog } from './dispatcher-log.js';
import { reportQueueDepth } from './dispatcher-metrics.js';
import { EscalationTimers } from './escalation-timers.js';
import { EscalationWorker } from './escalation-worker.js';
import { BullmqDelays, ClockDelays, type JobDelays } from './job-delays.js';
import { NotificationSender } from './notification-sender.js';
import { OwnLiveEvents } from './own-live-events.js';
import { InAppNotifier } from './notifiers/in-app-notifier.js';
import type { Notifier } from './notifiers/notifier.js';
import { WebPushNotifier } from './notifiers/web-push-notifier.js';
import { WebhookNotifier, type WebhookNotifierOptions } from './notifiers/webhook-notifier.js';
import { Reconciler } from './reconciler.js';
import { RouteWorker } from './route-worker.js';
import type { WorkerTuning } from './worker-options.js';
import { SUBSCRIBER_OPTIONS } from '../store/redis-subscriber.js';

export interface PassiveRules { start(): Promise<void> | void; stop(): Promise<void> }

export interface DispatcherDeps {
  pool: pg.Pool;
  redisUrl: string;
  config: DispatcherConfig;
  log: DispatcherLog;
  /** Every "now" and every wait (DESIGN §11); default the wall clock. A bare function reads as a clock whose waits are real. */
  clock?: Clock | (() => Date);
  /**
   * How delayed jobs wait for their instant (job-delays.ts): BullMQ's delayed set (default), or
   * the clock (`simulate day`, whose virtual clock BullMQ cannot read).
   */
  delays?: 'bullmq' | 'clock';
  /** BullMQ key prefix (default 'bull'); the gateway must use the same one for the route queue. */
  queuePrefix?: string;
  /** Replaces the default channels (in-app live, Web Push, webhook). Built with the pool and the publisher. */
  notifiers?: (base: { pool: pg.Pool; publish: (events: LiveEvent[]) => void }) => Notifier[];
  webhook?: WebhookNotifierOptions;
  /** The passive-rules engine (dispatcher/passive/), started after the timers are armed. */
  passiveRules?: PassiveRules;
  concurrency?: { route?: number; escalation?: number };
  tuning?: WorkerTuning;
  /** How long a community's responders and rosters are reused (community-roster-cache.ts); 0 = read each time. */
  rosterCacheMs?: number;
  /** Overrides RECONCILE_S (ms), e.g. for tests. */
  reconcileIntervalMs?: number;
  /** Test hook: every timer run with its lateness (ms) and outcome. */
  onTimer?: (job: EscalationJob, latenessMs: number, outcome: string) => void;
  /** Ladder and channel health tuning (issue 16); `ladder: false` sends every channel at once. */
  channels?: ChannelPartsOptions & { ladder?: boolean };
}

/**
 * The alert engine of DESIGN §4-§5, composed: route worker (outbox → tier 1), escalation worker
 * (ack timeouts, SLA warn/breach, arrival reminders), reconciler (database truth → Redis), a
 * watcher of the live feed (timers for the API's changes), the notification channels, and the
 * passive rules. Several dispatchers may run on one Redis and database (DESIGN §9): BullMQ hands
 * each job to one of them, and notifications are claimed per row.
 *
 * Redis: workers use a connection with maxRetriesPerRequest: null (they wait out an outage);
 * the producer (timer arming, live publishing) fails fast — the reconciler re-arms what it lost.
 */
export class Dispatcher {
  readonly instanceId = randomUUID().slice(0, 8);
  private producer: Redis | null = null;
  private workerConnection: Redis | null = null;
  private subscriber: Redis | null = null;
  private escalationQueue: Queue<EscalationJob> | null = null;
  private parts: Array<{ stop(): Promise<void> }> = [];
  private unregisterDepth: Array<() => void> = [];
  private reconciler: Reconciler | null = null;
  private webPush: WebPushNotifier | null = null;
  private channelParts: ChannelParts | null = null;
  private delays: JobDelays | null = null;
  private watcher: AlertChangeWatcher | null = null;

  constructor(private readonly deps: DispatcherDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    // Queues and pub/sub channels in one Redis namespace (domain/redis-names.ts).
    const names = redisNamesFor(deps.queuePrefix);
    const prefix = { prefix: names.queuePrefix };
    const clock = toClock(deps.clock);
    const delays: JobDelays = deps.delays === 'clock'
      ? new ClockDelays(clock, (err) => deps.log.warn('dispatcher: a delayed job could not be queued; the reconciler re-arms it', err))
      : new BullmqDelays(clock);
    this.delays = delays;

    this.producer = new Redis(deps.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.producer.on('error', () => {}); // ioredis reconnects; the reconciler recovers what failed meanwhile
    this.workerConnection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
    this.workerConnection.on('error', () => {});
    this.subscriber = new Redis(deps.redisUrl, SUBSCRIBER_OPTIONS);
    this.subscriber.on('error', () => {});

    this.escalationQueue = new Queue<EscalationJob>(QUEUES.escalation, { connection: this.producer, ...prefix });
    this.escalationQueue.on('error', () => {});
    const routeQueue = new Queue(QUEUES.route, { connection: this.producer, ...prefix });
    routeQueue.on('error', () => {});
    const ready = await this.escalationQueue.waitUntilReady().then(() => true, () => false);
    if (!ready) deps.log.warn('dispatcher: Redis not reachable yet; timers will be armed by the reconciler once it is');

    const producer = this.producer;
    const own = new OwnLiveEvents();
    const live = new TurnLivePublisher(producer, names.live);
    const publish = (events: LiveEvent[]) => { own.note(events); live.publish(events); };
    const base = { pool: deps.pool, publish };
    this.webPush = new WebPushNotifier({ pool: deps.pool });
    const channels = new ChannelParts({
      pool: deps.pool, producer, ...prefix, clock, delays, tz: deps.config.GUARDIAN_TZ, log: deps.log, ...(deps.channels ? { options: deps.channels } : {}),
    });
    this.channelParts = channels;
    const notifiers = deps.notifiers?.(base) ?? [
      new InAppNotifier(base), this.webPush, new WebhookNotifier({ pool: deps.pool, ...(deps.webhook ? { options: deps.webhook } : {}) }),
      ...providerNotifiers(deps.pool, channels.configs),
    ];
    // VAPID keys on first start (DESIGN §5), so the API can hand the public key to phones.
    await this.webPush.keys().catch((err) => deps.log.warn('dispatcher: VAPID keys not ready', err));

    const ctx: DispatchContext = {
      pool: deps.pool, config: deps.config, clock, log: deps.log, publish,
      sender: new NotificationSender({ pool: deps.pool, notifiers, clock, log: deps.log, ...(deps.channels?.ladder === false ? {} : { ladder: channels.ladder }) }),
      timers: new EscalationTimers(this.escalationQueue, delays),
      rosters: new CommunityRosterCache(deps.rosterCacheMs ?? 2000),
    };

    const routeWorker = new RouteWorker({ ctx, connection: this.workerConnection, ...prefix, concurrency: deps.concurrency?.route ?? 8, ...(deps.tuning ? { tuning: deps.tuning } : {}) });
    const escalationWorker = new EscalationWorker({
      ctx, connection: this.workerConnection, ...prefix, concurrency: deps.concurrency?.escalation ?? 64,
      ...(deps.tuning ? { tuning: deps.tuning } : {}), ...(deps.onTimer ? { onTimer: deps.onTimer } : {}),
    });
    routeWorker.start();
    escalationWorker.start();
    this.parts.push(routeWorker, escalationWorker);

    this.reconciler = new Reconciler({ ctx, ...(deps.reconcileIntervalMs ? { intervalMs: deps.reconcileIntervalMs } : {}) });
    await this.reconciler.start();
    this.parts.push(this.reconciler);

    const watcher = new AlertChangeWatcher({ ctx, subscriber: this.subscriber, channel: names.live, isOwn: (seq) => own.has(seq) });
    this.watcher = watcher;
    await watcher.start();
    this.parts.push(watcher);

    await channels.start(ctx, this.workerConnection, this.subscriber, deps.tuning);
    this.parts.push(channels);

    if (deps.passiveRules) {
      await deps.passiveRules.start();
      this.parts.push(deps.passiveRules);
    }
    this.unregisterDepth.push(reportQueueDepth(this.escalationQueue as unknown as Queue), reportQueueDepth(routeQueue));
    this.parts.push({ stop: () => routeQueue.close().catch(() => {}) });
    deps.log.info(`dispatcher ${this.instanceId} started (ack ${deps.config.ACK_TIMEOUT_S}s, SLA ${deps.config.SLA_WARN_S}/${deps.config.SLA_ONSITE_S}s)`);
  }

  /** No change waits to be looked at (the simulated day advances its clock only then). */
  get idle(): boolean {
    return this.watcher?.idle ?? true;
  }

  /** One channel health check now (tests; the periodic one runs every RECONCILE_S). */
  async checkChannelsNow() {
    return this.channelParts?.health?.checkNow() ?? null;
  }

  /** One reconciler pass now (tests; an operator's "re-check" button could call it too). */
  async reconcileNow() {
    return this.reconciler?.runOnce() ?? null;
  }

  /** Stops in reverse order: passive rules, watcher, reconciler, workers (after their running jobs), then Redis. */
  async stop(): Promise<void> {
    this.delays?.close();
    for (const undo of this.unregisterDepth.splice(0)) undo();
    for (const part of this.parts.splice(0).reverse()) await part.stop().catch((err) => this.deps.log.warn('dispatcher: stop failed', err));
    await this.escalationQueue?.close().catch(() => {});
    this.escalationQueue = null;
    this.reconciler = null;
    this.channelParts = null;
    for (const c of [this.subscriber, this.workerConnection, this.producer]) c?.disconnect();
    this.subscriber = this.workerConnection = this.producer = null;
  }
}
