import { str, type MergedConfig } from './channel-config.js';
import { RobotNotifier, type RobotRequest } from './robot-notifier.js';

/**
 * WeCom (企业微信) group robot: POST to its webhook URL, which carries the robot's `key` (the
 * only credential WeCom robots have; kept as a secret). Answers `{"errcode":0,"errmsg":"ok"}`.
 */
export class WeComRobotNotifier extends RobotNotifier {
  readonly channel = 'wecom' as const;

  protected request(config: MergedConfig, text: string): RobotRequest {
    return { url: str(config.secrets.url), body: { msgtype: 'text', text: { content: text } } };
  }

  protected accepted(answer: Record<string, unknown>): boolean {
    return answer.errcode === 0;
  }
}
