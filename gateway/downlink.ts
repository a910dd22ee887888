import type { Aedes } from 'aedes';
import { cmdTopic, type DeviceCommand } from '../domain/topics.js';

/** Publishes a command to a device's `guardian/v1/{id}/cmd` topic (QoS 1). */
export function sendCommand(broker: Aedes, deviceId: string, command: DeviceCommand): Promise<void> {
  return new Promise((resolve, reject) => {
    broker.publish({
      cmd: 'publish', topic: cmdTopic(deviceId), qos: 1, retain: false, dup: false,
      payload: Buffer.from(JSON.stringify(command)),
    }, (err) => (err ? reject(err) : resolve()));
  });
}
