/**
 * Hand-built MQTT 3.1.1 packets as raw bytes, so the fuzzer controls every byte the broker
 * sees (no client library normalising them).
 */
function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

/** CONNECT [MQTT-3.1]: protocol MQTT level 4, clean session, username + password. */
export function connectPacket(clientId: string, username: string, password: string, keepaliveS = 0): Buffer {
  const header = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2]), Buffer.from([keepaliveS >> 8, keepaliveS & 0xff])]);
  const body = Buffer.concat([header, str(clientId), str(username), str(password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** PUBLISH [MQTT-3.3] at QoS 0 or 1. */
export function publishPacket(topic: string, payload: Buffer, qos: 0 | 1, messageId = 1): Buffer {
  const id = qos > 0 ? Buffer.from([messageId >> 8, messageId & 0xff]) : Buffer.alloc(0);
  const body = Buffer.concat([str(topic), id, payload]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1)]), remainingLength(body.length), body]);
}

/**
 * Counts complete packets of each type in a byte stream from the broker (CONNACK, PUBACK…);
 * feed it every chunk.
 */
export class PacketCounter {
  private buf: Buffer = Buffer.alloc(0);
  readonly counts = new Map<number, number>();
  connackCode: number | undefined;

  feed(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.buf.length < 2) return;
      let len = 0, mult = 1, i = 1;
      for (;;) {
        if (i >= this.buf.length) return;
        const b = this.buf[i++]!;
        len += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) break;
        if (i > 4) throw new Error('bad remaining length from the broker');
      }
      if (this.buf.length < i + len) return;
      const type = this.buf[0]! >> 4;
      if (type === 2) this.connackCode = this.buf[i + 1];
      this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
      this.buf = this.buf.subarray(i + len);
    }
  }

  get pubacks(): number { return this.counts.get(4) ?? 0; }
}
