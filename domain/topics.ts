/**
 * MQTT topics and their payloads (DESIGN §2). One place so gateway, simulators and tests agree.
 */
export const TOPIC_ROOT = 'guardian/v1';
export const Z2M_ROOT = 'zigbee2mqtt';

export const eventTopic = (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/event`;
export const statusTopic = (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/status`;
export const cmdTopic = (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/cmd`;

export type DeviceTopic =
  | { kind: 'event'; deviceId: string }
  | { kind: 'status'; deviceId: string }
  | { kind: 'cmd'; deviceId: string };

/** Parses `guardian/v1/{id}/{event|status|cmd}`; anything else is null. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] === '') return null;
  const kind = parts[3];
  if (kind !== 'event' && kind !== 'status' && kind !== 'cmd') return null;
  return { kind, deviceId: parts[2]! };
}

export type StatusPayload = 'online' | 'offline';

export type AlertAckState = 'accepted' | 'on_site' | 'resolved';

/** Downlink commands a device understands (guardian/v1/{id}/cmd). */
export type DeviceCommand =
  | { type: 'alert_ack'; alertId: string; state: AlertAckState; text: string }
  | { type: 'ping' }
  | { type: 'config'; heartbeatS: number }
  /** Are you all right? stage 'chime' first, then 'voice' (spoken, louder); absent = chime. */
  | { type: 'check_in'; stage?: 'chime' | 'voice' };
