/**
 * The in-app channel of DESIGN §5: a notification for one responder travels on the live feed
 * (WebSocket to the consoles and the responder's phone view, which plays a sound, vibrates and
 * raises a Notification API toast). Its own live event type, `responder.notify`, because it is
 * addressed to a person rather than describing a change of an alert.
 *
 * Pending: `responder.notify` still has to be added to LIVE_EVENT_TYPES / LiveEventData in
 * domain/live-events.ts (owned by the lead); until then the dispatcher appends it with a cast.
 */
/** Why someone is told (notifications.purpose, migration 003). */
export const NOTIFICATION_PURPOSES = ['page', 'inform', 'reminder', 'supervisor', 'ack', 'roster_gap', 'backup', 'check_in'] as const;
export type NotificationPurpose = (typeof NOTIFICATION_PURPOSES)[number];

export const RESPONDER_NOTIFY = 'responder.notify' as const;

export interface ResponderNotifyData {
  responderId: string;
  alertId: string;
  /** The notifications row, so the phone view can mark it seen. */
  notificationId: number;
  purpose: NotificationPurpose;
  /** Escalation level (0 = tier 1) the page belongs to; null for reminders and supervisor notices. */
  tier: number | null;
  round: string;
  title: string;
  text: string;
}

export interface ResponderNotifyEvent { type: typeof RESPONDER_NOTIFY; data: ResponderNotifyData }
