import type pg from 'pg';
import { robotTiers, type ChannelName } from '../../domain/channel-definitions.js';
import { renderTemplate } from '../../domain/message-template.js';
import { ChannelConfigSource, errorText, str, type MergedConfig } from './channel-config.js';
import { messageVariables } from './message-variables.js';
import type { DeliveryScope, NotificationMessage, Notifier, SendResult } from './notifier.js';

export type RobotChannel = Extract<ChannelName, 'wecom' | 'dingtalk' | 'feishu'>;

export const DEFAULT_ROBOT_TEXT = '【365云守护】{kind}：{place}（{address}），第{level}级通知。值班人员请立即在手机上接单并上门。';

/** One robot request: where, what; the robot file signs it its way. */
export interface RobotRequest { url: string; body: unknown }

/**
 * Group robots of the work-chat apps communities already use (issue 16): the grid's group or the
 * duty room gets one message per escalation round of the tiers it is set up for (`tiers`, 1-3).
 * One file per app says how it signs and what it answers; this base finds the robot for the
 * community, posts, and reads the app's answer (each answers HTTP 200 with an error code inside).
 */
export abstract class RobotNotifier implements Notifier {
  abstract readonly channel: RobotChannel;
  readonly group = 'robot' as const;
  protected readonly configs: ChannelConfigSource;

  constructor(protected readonly deps: { pool: pg.Pool; configs?: ChannelConfigSource; fetch?: typeof fetch; timeoutMs?: number; now?: () => Date }) {
    this.configs = deps.configs ?? new ChannelConfigSource(deps.pool);
  }

  /** Robots have no per-person address. */
  async addresses(): Promise<string[]> {
    return [];
  }

  async groupAddresses(scope: DeliveryScope): Promise<string[]> {
    if (scope.purpose !== 'page' && scope.purpose !== 'supervisor') return [];
    const config = await this.configs.get(this.channel, scope.communityId);
    if (!config) return [];
    if (scope.tier !== null && !robotTiers(config).includes(Math.min(scope.tier, 2))) return [];
    // The target names the robot, never its URL (the URL is the credential).
    return [`${this.channel}:${str(config.name, scope.communityId ?? 'default')}`];
  }

  protected abstract request(config: MergedConfig, text: string, at: Date): RobotRequest;
  /** The app's own success check of its JSON answer. */
  protected abstract accepted(answer: Record<string, unknown>): boolean;

  async send(m: NotificationMessage): Promise<SendResult> {
    const config = await this.configs.get(this.channel, m.household.communityId);
    if (!config) return { status: 'skipped', error: `${this.channel} robot not configured`, attempts: 0 };
    const text = renderTemplate(str(config.textTemplate, DEFAULT_ROBOT_TEXT), messageVariables(m));
    const { url, body } = this.request(config, text, this.deps.now?.() ?? m.at);
    try {
      const res = await (this.deps.fetch ?? fetch)(url, {
        method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
      });
      const answer = await res.json().catch(() => ({})) as Record<string, unknown>;
      if (res.ok && this.accepted(answer)) return { status: 'sent', provider: this.channel };
      const code = answer.errcode ?? answer.code ?? answer.StatusCode ?? `HTTP ${res.status}`;
      const msg = answer.errmsg ?? answer.msg ?? answer.StatusMessage ?? '';
      return { status: 'failed', error: `${this.channel} ${String(code)}: ${String(msg)}`.trim(), provider: this.channel };
    } catch (err) {
      return { status: 'failed', error: errorText(err, config.secrets), provider: this.channel };
    }
  }
}
