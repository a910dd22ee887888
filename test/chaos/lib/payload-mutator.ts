import { seededRng } from '../../../domain/seeded-random.js';

const TYPES = ['sos', 'fall', 'motion', 'door', 'bed', 'presence', 'water_use', 'button', 'smoke', 'gas', 'water_leak', 'heartbeat', 'battery', 'cancel', 'SOS', '', 'x'.repeat(300), '__proto__'];
const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, -1e308, 'NaN', '', '\u0000', '\ud800', '💥'.repeat(100), [], {}, [[[[]]]],
  { __proto__: { polluted: true } }, 'x'.repeat(5000), '2026-13-45T99:99:99Z', 9_999_999_999_999_999, '<script>alert(1)</script>', "'; DROP TABLE signals; --"];

/**
 * Mutated device events (issue 7 item 5): start from a valid event and break it the ways
 * firmware and attackers do — wrong types, missing or extra fields, bad timestamps, deep
 * nesting, truncation, byte flips, binary, oversize. Seeded, so a failure can be replayed.
 */
export class PayloadMutator {
  private readonly random: () => number;
  private n = 0;

  constructor(seed: number) { this.random = seededRng(seed); }

  private pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.random() * xs.length)]!; }

  private base(): Record<string, unknown> {
    return { id: `fz-${++this.n}`, type: this.pick(TYPES.slice(0, 14)), ts: Date.now(), battery: 80, rssi: -60, confidence: 0.9, room: 'bedroom' };
  }

  next(): Buffer {
    const e = this.base();
    const r = this.random();
    const json = () => Buffer.from(JSON.stringify(e));
    switch (Math.floor(r * 12)) {
      case 0: e[this.pick(Object.keys(e))] = this.pick(WEIRD); return json();
      case 1: delete e[this.pick(['id', 'type', 'ts'])]; return json();
      case 2: e.type = this.pick(TYPES); return json();
      case 3: e.ts = this.pick(['yesterday', -1, 0, 8.64e15 + 1, '2026-02-30T00:00:00Z', 1e20, '1700000000000']); return json();
      case 4: e.id = this.pick(['', 'x'.repeat(65), 42, null, '\u0000'.repeat(10)]); return json();
      case 5: { // deep nesting
        let v: unknown = 1;
        for (let i = 0; i < 1 + Math.floor(this.random() * 5000); i++) v = [v];
        e.value = v;
        return json();
      }
      case 6: { const b = json(); return b.subarray(0, Math.floor(this.random() * b.length)); }
      case 7: { // byte flips
        const b = Buffer.from(json());
        for (let i = 0; i < 1 + Math.floor(this.random() * 8); i++) b[Math.floor(this.random() * b.length)] = Math.floor(this.random() * 256);
        return b;
      }
      case 8: return Buffer.from(Array.from({ length: Math.floor(this.random() * 200) }, () => Math.floor(this.random() * 256)));
      case 9: e.room = 'x'.repeat(4096 + Math.floor(this.random() * 4096)); return json();
      case 10: return Buffer.from(this.pick(['null', '[]', '""', '1', 'true', '{}', '{"id":1}', '{"__proto__":{"x":1}}', '\ufeff{}', '{"id":"a","type":"sos","ts":1,"id":"b"}']));
      default: e.extra = this.pick(WEIRD); e.value = this.pick(WEIRD); return json();
    }
  }
}

/** Broken MQTT for the packet parser: garbage, lies about lengths, wrong order, bad headers. */
export function malformedPackets(random: () => number, connect: Buffer): Buffer[] {
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const kinds = [
    () => bytes(1 + Math.floor(random() * 64)),                                  // noise
    () => Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]),                      // remaining length > 4 bytes
    () => Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]),                            // 256 MB promised, never sent
    () => Buffer.concat([Buffer.from([0x10, 0x10]), Buffer.from('\u0000\u0004MQTX\u0004\u0002\u0000\u003c\u0000\u0000')]), // bad protocol name
    () => Buffer.concat([Buffer.from([0x10, 0x0c]), Buffer.from('\u0000\u0004MQTT\u0009\u0002\u0000\u003c\u0000\u0000')]), // bad level
    () => Buffer.from([0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]),                // PUBLISH before CONNECT
    () => Buffer.concat([connect, connect]),                                      // CONNECT twice [MQTT-3.1.0-2]
    () => Buffer.concat([connect, Buffer.from([0x82, 0x02, 0x00, 0x01])]),        // SUBSCRIBE with no topics
    () => Buffer.concat([connect, Buffer.from([0x36, 0x04, 0x00, 0x01, 0x23, 0x00])]), // PUBLISH QoS 3
    () => Buffer.concat([connect, Buffer.from([0x30, 0x03, 0xff, 0xff, 0x00])]),  // topic length beyond the packet
    () => Buffer.concat([connect, Buffer.from([0xf0, 0x00])]),                    // reserved type 15
    () => Buffer.concat([connect, Buffer.from([0x30, 0x04, 0x00, 0x02, 0x23, 0x2b])]), // wildcards in a PUBLISH topic
    () => Buffer.concat([connect.subarray(0, Math.floor(random() * connect.length)), bytes(16)]),
  ];
  return Array.from({ length: 10 }, () => kinds[Math.floor(random() * kinds.length)]!());
}
