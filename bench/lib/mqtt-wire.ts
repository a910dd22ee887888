/**
 * The few MQTT 3.1.1 packets a lean bench device needs, encoded by hand (OASIS MQTT 3.1.1 §3).
 * mqtt.js costs a few milliseconds of CPU per client on this machine, which makes a generator
 * of 19,000 connections slower than the brokers it measures; these are microseconds.
 */
const str = (s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

/** Remaining Length, §2.2.3: 7 bits per byte, high bit = more. */
function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const packet = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);

/** CONNECT §3.1 with username, password, a retained QoS 1 will, clean session 0. */
export function connectPacket(o: { clientId: string; username: string; password: string; keepaliveS: number; will?: { topic: string; payload: string } }): Buffer {
  let flags = 0x80 | 0x40; // username, password [MQTT-3.1.2-19, -21]
  if (o.will) flags |= 0x04 | (1 << 3) | 0x20; // will flag, will QoS 1, will retain
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepaliveS);
  const header = Buffer.concat([str('MQTT'), Buffer.from([4, flags]), keepalive]);
  const payload = [str(o.clientId), ...(o.will ? [str(o.will.topic), str(o.will.payload)] : []), str(o.username), str(o.password)];
  return packet(0x10, Buffer.concat([header, ...payload]));
}

/** PUBLISH §3.3 at QoS 1. */
export function publishPacket(topic: string, packetId: number, payload: string, retain = false): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId);
  return packet(0x32 | (retain ? 1 : 0), Buffer.concat([str(topic), id, Buffer.from(payload, 'utf8')]));
}

/** SUBSCRIBE §3.8, one topic at QoS 1. */
export function subscribePacket(topic: string, packetId: number): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId);
  return packet(0x82, Buffer.concat([id, str(topic), Buffer.from([1])]));
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);

export interface IncomingPacket { type: number; flags: number; body: Buffer }

/** Splits a byte stream into packets (fixed header + Remaining Length). */
export class PacketReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, onPacket: (p: IncomingPacket) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.buf.length < 2) return;
      let len = 0, mul = 1, i = 1;
      for (;; i++) {
        if (i >= this.buf.length) return;
        const b = this.buf[i]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) break;
        if (i >= 4) throw new Error('malformed Remaining Length');
      }
      const start = i + 1;
      if (this.buf.length < start + len) return;
      const first = this.buf[0]!;
      onPacket({ type: first >> 4, flags: first & 0x0f, body: this.buf.subarray(start, start + len) });
      this.buf = this.buf.subarray(start + len);
    }
  }
}
