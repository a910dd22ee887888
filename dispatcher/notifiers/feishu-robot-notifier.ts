import { createHmac } from 'node:crypto';
import { str, type MergedConfig } from './channel-config.js';
import { RobotNotifier, type RobotRequest } from './robot-notifier.js';

/**
 * Feishu (飞书) custom bot with 签名校验: the body carries `timestamp` (seconds, as a string) and
 * `sign = base64(HmacSHA256(key = "timestamp\nsecret", message = empty))` — note the key/message
 * order differs from DingTalk's. Answers `{"code":0,"msg":"success"}`.
 */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
}

export class FeishuRobotNotifier extends RobotNotifier {
  readonly channel = 'feishu' as const;

  protected request(config: MergedConfig, text: string, at: Date): RobotRequest {
    const secret = str(config.secrets.secret);
    const body: Record<string, unknown> = { msg_type: 'text', content: { text } };
    if (secret) {
      const ts = Math.floor(at.getTime() / 1000);
      body.timestamp = String(ts);
      body.sign = feishuSign(secret, ts);
    }
    return { url: str(config.secrets.url), body };
  }

  protected accepted(answer: Record<string, unknown>): boolean {
    return answer.code === 0 || answer.StatusCode === 0;
  }
}
