import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Clock } from '../domain/clock.js';
import { QUEUES, type LadderJob } from '../domain/queues.js';
import { ChannelHealthMonitor } from './channel-health-monitor.js';
import type { DispatchContext } from './dispatch-context.js';
import type { DispatcherLog } from './dispatcher-log.js';
import { LadderPlanner } from './ladder-planner.js';
import type { JobDelays } from './job-delays.js';
import { LadderTimers } from './ladder-timers.js';
import { LadderWorker } from './ladder-worker.js';
import { AliyunSmsNotifier } from './notifiers/aliyun-sms-notifier.js';
import { AliyunVoiceNotifier } from './notifiers/aliyun-voice-notifier.js';
import { ChannelConfigSource } from './notifiers/channel-config.js';
import { DingTalkRobotNotifier } from './notifiers/dingtalk-robot-notifier.js';
import { FeishuRobotNotifier } from './notifiers/feishu-robot-notifier.js';
import type { Notifier } from './notifiers/notifier.js';
import { TencentSmsNotifier } from './notifiers/tencent-sms-notifier.js';
import { TencentVoiceNotifier } from './notifiers/tencent-voice-notifier.js';
import { WeComRobotNotifier } from './notifiers/wecom-robot-notifier.js';
import type { WorkerTuning } from './worker-options.js';
import { redisNamesFor } from '../store/redis-namespace.js';

/** The provider channels of issue 16, sharing one settings reader. */
export function providerNotifiers(pool: pg.Pool, configs: ChannelConfigSource): Notifier[] {
  const deps = { pool, configs };
  return [
    new AliyunSmsNotifier(deps), new TencentSmsNotifier(deps), new AliyunVoiceNotifier(deps), new TencentVoiceNotifier(deps),
    new WeComRobotNotifier(deps), new DingTalkRobotNotifier(deps), new FeishuRobotNotifier(deps),
  ];
}

export interface ChannelPartsOptions {
  /** Channel health check period (default RECONCILE_S). */
  healthIntervalMs?: number;
  /** Test hook: every ladder step run with its outcome. */
  onLadderStep?: (job: LadderJob, outcome: string) => void;
}

/**
 * The ladder (planner, delayed-step queue and worker) and the channel health monitor, composed
 * for the Dispatcher (issue 16). The planner must exist before the sender; the worker and the
 * monitor start once the context does.
 */
export class ChannelParts {
  readonly configs: ChannelConfigSource;
  readonly ladder: LadderPlanner;
  private readonly queue: Queue<LadderJob>;
  private worker: LadderWorker | null = null;
  health: ChannelHealthMonitor | null = null;

  constructor(private readonly deps: { pool: pg.Pool; producer: Redis; prefix?: string; clock: Clock; delays: JobDelays; tz: string; log: DispatcherLog; options?: ChannelPartsOptions }) {
    this.configs = new ChannelConfigSource(deps.pool);
    this.queue = new Queue<LadderJob>(QUEUES.ladder, { connection: deps.producer, ...(deps.prefix ? { prefix: deps.prefix } : {}) });
    this.queue.on('error', () => {});
    this.ladder = new LadderPlanner({ pool: deps.pool, configs: this.configs, timers: new LadderTimers(this.queue, deps.delays), clock: deps.clock, tz: deps.tz });
  }

  async start(ctx: DispatchContext, connection: Redis, subscriber: Redis, tuning?: WorkerTuning): Promise<void> {
    const { deps } = this;
    this.worker = new LadderWorker({
      ctx, connection, ...(deps.prefix ? { prefix: deps.prefix } : {}), ...(tuning ? { tuning } : {}),
      ...(deps.options?.onLadderStep ? { onStep: deps.options.onLadderStep } : {}),
    });
    this.worker.start();
    this.health = new ChannelHealthMonitor({
      pool: deps.pool, configs: this.configs, clock: deps.clock, log: deps.log, config: ctx.config, subscriber,
      changedChannel: redisNamesFor(deps.prefix).channelsChanged,
      onChange: () => this.ladder.invalidate(),
      ...(deps.options?.healthIntervalMs ? { intervalMs: deps.options.healthIntervalMs } : {}),
    });
    await this.health.start();
  }

  async stop(): Promise<void> {
    await this.health?.stop();
    await this.worker?.stop();
    await this.queue.close().catch(() => {});
  }
}
