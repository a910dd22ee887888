import type { AlertKind, Severity } from '../../domain/alert-kinds.js';
import type { NotificationPurpose } from '../../domain/notification-events.js';
import type { ResponderRole } from '../../domain/roster.js';

/**
 * One interface for every channel of DESIGN §5 (in-app live, Web Push, webhook for SMS/voice
 * gateways). A channel says which addresses it has for a person, and sends one message to one
 * address; the NotificationSender claims, logs and counts every attempt.
 */

/** A person to tell, with what every channel may need (responders have accounts, family only phones). */
export type Recipient =
  | { kind: 'responder'; responderId: string; role: ResponderRole; name: string; phone: string }
  | { kind: 'family'; name: string; relation?: string; phone: string }
  | { kind: 'community'; name: string; phone: string };

export interface NotificationMessage {
  /** The notifications row this attempt belongs to. */
  id: number;
  alert: { id: string; kind: AlertKind; severity: Severity; householdId: string; firstSignalAt: Date };
  household: { unit: string; address: string; buildingName: string; communityId?: string };
  recipient: Recipient;
  /** The address on this channel: `responder:<id>`, a push endpoint, a phone number. */
  target: string;
  purpose: NotificationPurpose;
  tier: number | null;
  round: string;
  title: string;
  text: string;
  at: Date;
}

export interface SendResult {
  status: 'sent' | 'failed' | 'skipped';
  error?: string;
  /** How many requests were made (webhook retries); 1 when omitted, 0 for skipped. */
  attempts?: number;
  /** Provider channels: who sent it and their id for it (receipts and replies come back by it). */
  provider?: string;
  providerMessageId?: string | null;
}

/**
 * How a channel joins a person's ladder (domain/notification-ladder.ts): 'app' and 'sms'/'voice'
 * are ladder steps; 'webhook' (the generic gateway) and 'robot' (group chats) go out at once.
 */
export type ChannelGroup = 'app' | 'sms' | 'voice' | 'webhook' | 'robot';

/** What a delivery is about, for channels whose settings differ per community or tier. */
export interface DeliveryScope { communityId: string | null; purpose: NotificationPurpose; tier: number | null }

export interface Notifier {
  readonly channel: string;
  /** Ladder group; 'app' when omitted (in-app, Web Push). */
  readonly group?: ChannelGroup;
  /** This channel's addresses of the recipient; empty when it cannot reach them. */
  addresses(recipient: Recipient, scope?: DeliveryScope): Promise<string[]>;
  /**
   * Group channels (robots): the chats told once per delivery, whoever the recipients are.
   * Such a channel has no per-person addresses.
   */
  groupAddresses?(scope: DeliveryScope): Promise<string[]>;
  send(message: NotificationMessage): Promise<SendResult>;
  /**
   * For a channel whose "send" is itself a database write (in-app: a live event): claim the
   * notifications row and send in one transaction, so the row is never left 'pending'. Null when
   * another sender has the row. Without it the sender claims, sends, then records the result.
   */
  claimAndSend?(message: Omit<NotificationMessage, 'id'>, claim: NotificationClaimKey): Promise<{ id: number; result: SendResult } | null>;
}

export interface NotificationClaimKey { responderId: string | null }
