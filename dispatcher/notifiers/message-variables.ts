import type { MessageVars } from '../../domain/message-template.js';
import { KIND_LABEL } from '../notification-text.js';
import type { NotificationMessage } from './notifier.js';

/**
 * The variables a provider template may use (domain/message-template.ts) for one notification.
 * `code` is what to reply or press to accept; `link` the one-time link to the phone view (filled
 * by the SMS channels when the person has an account and a public URL is configured).
 */
export function messageVariables(m: Omit<NotificationMessage, 'id'>, link = ''): MessageVars {
  const h = m.household;
  return {
    kind: KIND_LABEL[m.alert.kind], place: `${h.buildingName} ${h.unit}`, address: h.address, unit: h.unit, building: h.buildingName,
    level: m.tier === null ? '' : String(m.tier + 1), name: m.recipient.name, code: '1', link, title: m.title, text: m.text,
  };
}
