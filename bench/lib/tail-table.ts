import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { SentRecord } from './fleet-protocol.js';
import { ms, summarize } from './latency-summary.js';
import type { TailSecond } from './tail-probe.js';
import { wallMs } from './wall-clock.js';

/**
 * The "where does the tail come from" table of a latency scenario (issue 21 item 7): per wall
 * second of sending, the PUBACK p99 and max next to what the gateway's tail probe saw and how
 * busy the whole machine was.
 */
export const TAIL_COLUMNS = ['second', 'sent', 'PUBACK p99', 'PUBACK max', 'GC max pause', 'GC total', 'major GCs (max)', 'loop lag max',
  'alert batch p99', 'alert batch max', 'pool waits', 'machine busy (of it stolen)'];

export function tailBySecond(records: SentRecord[], tail: TailSecond[], machine: Map<number, MachineSecond>): string[][] {
  const bySecond = new Map<number, number[]>();
  for (const r of records) {
    if (r.ackMs === null) continue;
    const s = Math.floor(r.sentAt / 1000);
    let list = bySecond.get(s);
    if (!list) bySecond.set(s, list = []);
    list.push(r.ackMs);
  }
  const probe = new Map(tail.map((t) => [t.second, t]));
  const seconds = [...bySecond.keys()].sort((a, b) => a - b);
  const first = seconds[0] ?? 0;
  return seconds.map((s) => {
    const l = summarize(bySecond.get(s)!);
    const t = probe.get(s);
    const busy = machine.get(s);
    return [String(s - first), String(l.n), ms(l.p99), ms(l.max), t ? ms(t.gcMaxMs) : '—', t ? ms(t.gcTotalMs) : '—', t ? (t.gcMajor ? `${t.gcMajor} (${ms(t.gcMajorMaxMs)})` : '0') : '—', t ? ms(t.loopLagMaxMs) : '—',
      ms(t?.queryP99Ms), ms(t?.queryMaxMs), t ? String(t.poolWaitingMax) : '—', busy === undefined ? '—' : `${Math.round(busy.busy * 100)} % (${Math.round(busy.steal * 100)} %)`];
  });
}

/** How busy the machine was in one second: all cores, every process; `steal` = time the hypervisor gave to other guests (counted in busy). */
export interface MachineSecond { busy: number; steal: number }

/** The machine's busy and stolen shares per wall second, from /proc/stat. */
export function sampleMachineBusy(): { stop(): Map<number, MachineSecond> } {
  const out = new Map<number, MachineSecond>();
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal guest guest_nice; guests are already in user.
      const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
      return { idle: (f[3] ?? 0) + (f[4] ?? 0), steal: f[7] ?? 0, total };
    } catch {
      return null;
    }
  };
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    if (now && last && now.total > last.total) {
      const span = now.total - last.total;
      out.set(Math.floor((wallMs() - 500) / 1000), { busy: 1 - (now.idle - last.idle) / span, steal: (now.steal - last.steal) / span });
    }
    last = now;
  }, 1000);
  return { stop() { clearInterval(timer); return out; } };
}

/** WAL fsyncs so far and their total time in ms (pg_stat_io, with track_wal_io_timing on), or null where unavailable. */
export async function walFsyncs(pool: pg.Pool): Promise<{ fsyncs: number; ms: number } | null> {
  try {
    const r = await pool.query<{ fsyncs: string; ms: string }>(
      `SELECT coalesce(sum(fsyncs), 0) AS fsyncs, coalesce(sum(fsync_time), 0) AS ms FROM pg_stat_io WHERE object = 'wal'`);
    return { fsyncs: Number(r.rows[0]!.fsyncs), ms: Number(r.rows[0]!.ms) };
  } catch {
    return null;
  }
}
