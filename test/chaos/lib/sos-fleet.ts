import type { DeviceCredential } from '../../../domain/device-credentials.js';
import type { EventType } from '../../../domain/device-kinds.js';
import { SimulatedDevice } from '../../../simulators/simulated-device.js';
import { EventLedger } from './ledger.js';

/**
 * Simulated devices (real mqtt.js clients: persistent session, QoS 1, resend after reconnect,
 * backoff) sending events at a steady aggregate rate, with every send and PUBACK in a ledger.
 */
export class SosFleet {
  readonly ledger = new EventLedger();
  readonly devices: SimulatedDevice[];

  constructor(url: string, credentials: DeviceCredential[]) {
    this.devices = credentials.map((credential) => new SimulatedDevice({
      url, credential, heartbeats: false, backoff: { minMs: 250, maxMs: 2000 },
    }));
  }

  async connect(batch = 50): Promise<void> {
    for (let i = 0; i < this.devices.length; i += batch) {
      await Promise.all(this.devices.slice(i, i + batch).map((d) => d.connect(20_000)));
    }
  }

  /** `count` events round-robin over the devices at `ratePerS`; resolves when all are handed to mqtt.js. */
  async send(count: number, ratePerS: number, type: (i: number) => EventType = () => 'sos', onTick?: (sent: number) => void): Promise<void> {
    const started = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * ratePerS) + 1);
      for (; sent < due; sent++) this.sendOne(this.devices[sent % this.devices.length]!, type(sent));
      onTick?.(sent);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  sendOne(device: SimulatedDevice, type: EventType, onAck?: (latencyMs: number) => void): void {
    const t0 = performance.now();
    const id = device.publishEvent(type, {}, (err) => {
      if (err) return;
      const ms = performance.now() - t0;
      this.ledger.noteAcked(device.deviceId, id, ms);
      onAck?.(ms);
    });
    this.ledger.noteSent(device.deviceId, id);
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.devices.length; i += 100) await Promise.all(this.devices.slice(i, i + 100).map((d) => d.stop(1000)));
  }
}
