import { createHmac } from 'node:crypto';
import { str, type MergedConfig } from './channel-config.js';
import { RobotNotifier, type RobotRequest } from './robot-notifier.js';

/**
 * DingTalk (钉钉) custom robot with 加签: `timestamp` (ms) and
 * `sign = urlencode(base64(HmacSHA256(key = secret, "timestamp\nsecret")))` are appended to the
 * webhook URL (which carries `access_token`). Answers `{"errcode":0,"errmsg":"ok"}`.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export class DingTalkRobotNotifier extends RobotNotifier {
  readonly channel = 'dingtalk' as const;

  protected request(config: MergedConfig, text: string, at: Date): RobotRequest {
    const url = new URL(str(config.secrets.url));
    const secret = str(config.secrets.secret);
    if (secret) {
      const ts = at.getTime();
      url.searchParams.set('timestamp', String(ts));
      url.searchParams.set('sign', dingTalkSign(secret, ts));
    }
    return { url: url.toString(), body: { msgtype: 'text', text: { content: text } } };
  }

  protected accepted(answer: Record<string, unknown>): boolean {
    return answer.errcode === 0;
  }
}
