import WebSocket from 'ws';
import type { Clock } from '../../domain/clock.js';
import { between, hashSeed, seededRng, type Rng } from '../../domain/seeded-random.js';
import { localMinuteOfDay } from '../clock.js';
import type { InFlight } from './in-flight.js';
import type { Ledger } from './ledger.js';
import { noticePage, prepMs, travelMs, visit, whereNow, type ResponderProfile } from './responder-model.js';
import type { Point } from './site-plan.js';

/**
 * The responders' phones (issue 14 item 3): each responder signs in, keeps the live feed open
 * like the phone view, and acts only on the pages the product sends them (`responder.notify`)
 * through the same HTTP API as the phone: accept, then — after getting going and walking or
 * cycling there — 到达 at the door, then resolve. Whether and when they notice a page, how
 * long they take and what they find at the door come from responder-model.ts and the truth of
 * the home (the ledger); a responder holding one alert lets other pages go by.
 */
export interface PhoneAccount { responderId: string; username: string; password: string }

export interface PhonesOptions {
  httpUrl: string;
  clock: Clock;
  ledger: Ledger;
  tz: string;
  seed: number;
  inFlight: InFlight;
  profiles: ReadonlyMap<string, ResponderProfile>;
  /** Where a home is (its building on the site plan) and its floor. */
  homeAt: (householdId: string) => { point: Point; floor: number } | undefined;
  /** Tells the homes a visit is over (the resident helped up, or taken to hospital). */
  onVisitEnded: (householdId: string, at: number, outcome: string) => void;
  log: (line: string) => void;
}

interface NotifyData { responderId: string; alertId: string; purpose: string; round: string }

class Phone {
  ws: WebSocket | null = null;
  token = '';
  busyWith: string | null = null;
  /** The last home they visited, until they are back (null: wherever their day takes them, whereNow). */
  returning: Point | null = null;
  readonly rng: Rng;
  readonly handled = new Set<string>();

  constructor(readonly account: PhoneAccount, readonly profile: ResponderProfile, seed: number) {
    this.rng = seededRng(hashSeed(`phone:${seed}:${account.responderId}`));
  }
}

export class SimulatedPhones {
  private readonly phones = new Map<string, Phone>();
  private readonly timers: Array<ReturnType<Clock['setTimeout']>> = [];
  /** Calls the product refused or failed, by reason (a 409 already_accepted is the normal race). */
  readonly refusals = new Map<string, number>();

  constructor(accounts: readonly PhoneAccount[], private readonly o: PhonesOptions) {
    for (const a of accounts) {
      const profile = o.profiles.get(a.responderId);
      if (profile) this.phones.set(a.responderId, new Phone(a, profile, o.seed));
    }
  }

  get size(): number { return this.phones.size; }

  /** Signs every responder in and opens their live feeds (real time; the virtual clock waits). */
  async connect(): Promise<void> {
    const list = [...this.phones.values()];
    for (let i = 0; i < list.length; i += 8) await Promise.all(list.slice(i, i + 8).map((p) => this.signIn(p)));
    await Promise.all(list.map((p) => this.openFeed(p)));
  }

  /**
   * Resolves once every phone has received everything the server sent it before this call: a
   * WebSocket ping's pong comes back after every frame queued before it (TCP keeps order).
   */
  async barrier(): Promise<void> {
    await Promise.all([...this.phones.values()].map((p) => new Promise<void>((resolve) => {
      const ws = p.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) { resolve(); return; }
      const done = () => { clearTimeout(t); ws.off('pong', done); resolve(); };
      const t = setTimeout(done, 5000);
      ws.once('pong', done);
      ws.ping();
    })));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) this.o.clock.clearTimer(t);
    for (const p of this.phones.values()) p.ws?.terminate();
  }

  private at(when: number, fn: () => void): void {
    this.timers.push(this.o.clock.setTimeout(fn, when - this.o.clock.nowMs()));
  }

  private async signIn(p: Phone): Promise<void> {
    const res = await fetch(`${this.o.httpUrl}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: p.account.username, password: p.account.password }),
    });
    if (!res.ok) throw new Error(`sign-in of ${p.account.username} failed: ${res.status} ${await res.text()}`);
    p.token = ((await res.json()) as { token: string }).token;
  }

  private openFeed(p: Phone): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.o.httpUrl.replace(/^http/, 'ws')}/api/v1/live?token=${encodeURIComponent(p.token)}`);
      ws.on('message', (raw) => this.onMessage(p, String(raw)));
      ws.once('open', () => { p.ws = ws; resolve(); });
      ws.once('error', reject);
      ws.on('close', (code) => { if (p.ws === ws) { p.ws = null; this.o.log(`[${p.account.username}] live feed closed (${code})`); } });
    });
  }

  private onMessage(p: Phone, raw: string): void {
    let m: { type?: string; data?: NotifyData };
    try { m = JSON.parse(raw) as typeof m; } catch { return; }
    if (m.type !== 'responder.notify' || !m.data || m.data.responderId !== p.account.responderId) return;
    const { alertId, purpose, round } = m.data;
    if (purpose !== 'page' && purpose !== 'backup') return;
    const now = this.o.clock.nowMs();
    const busy = p.busyWith !== null;
    // Every page rings anew — a first page, the next wave, a re-dispatch after a decline, a
    // backup call (issue 15) — except that one person does not answer the same alert twice at once.
    const key = `${alertId}\u0000${round}`;
    if (p.handled.has(key) || p.busyWith === alertId) {
      this.o.ledger.pages.push({ at: now, responderId: p.account.responderId, alertId, purpose, noticed: false, busy });
      return;
    }
    const hour = Math.floor(localMinuteOfDay(now, this.o.tz) / 60);
    const notice = noticePage(p.rng, p.profile, hour);
    this.o.ledger.pages.push({ at: now, responderId: p.account.responderId, alertId, purpose, noticed: notice.noticed, busy });
    if (!notice.noticed) return;
    p.handled.add(key);
    // Busy at another door: one tap says so, and the dispatch room may send someone else.
    if (busy) { this.at(now + notice.afterMs, () => { void this.decline(p, alertId); }); return; }
    this.at(now + notice.afterMs, () => { void this.accept(p, alertId, purpose); });
  }

  private async decline(p: Phone, alertId: string): Promise<void> {
    const at = this.o.clock.nowMs();
    const r = await this.call(p, 'POST', `/alerts/${alertId}/decline`, { reason: '正在处理另一户' });
    this.o.ledger.acts.push({ at, responderId: p.account.responderId, alertId, action: 'decline', ok: r.ok, ...(r.code ? { code: r.code } : {}) });
  }

  private async accept(p: Phone, alertId: string, purpose: string): Promise<void> {
    if (p.busyWith !== null) { void this.decline(p, alertId); return; }
    const alert = await this.call<{ householdId: string; state: string; acceptedBy: string | null }>(p, 'GET', `/alerts/${alertId}`);
    if (!alert.ok || !alert.body) return;
    const { householdId } = alert.body;
    const home = this.o.homeAt(householdId);
    if (!home) return;
    // A backup goes without accepting (the holder keeps the alert); a page is accepted first.
    if (purpose !== 'backup') {
      const at = this.o.clock.nowMs();
      const r = await this.call(p, 'POST', `/alerts/${alertId}/accept`, {});
      this.o.ledger.acts.push({ at, responderId: p.account.responderId, alertId, action: 'accept', ok: r.ok, ...(r.code ? { code: r.code } : {}) });
      if (!r.ok) return;
    } else if (alert.body.state === 'resolved' || alert.body.state === 'cancelled' || alert.body.state === 'on_site') {
      return; // over, or someone is at the door already
    }
    if (p.busyWith !== null) return; // took another alert while this one was read
    p.busyWith = alertId;
    const now = this.o.clock.nowMs();
    const hour = Math.floor(localMinuteOfDay(now, this.o.tz) / 60);
    const from = p.returning ?? whereNow(p.rng, p.profile, hour);
    const arriveAt = now + prepMs(p.rng, p.profile, hour) + travelMs(from, home.point, p.profile.mode, home.floor);
    this.at(arriveAt, () => { void this.arrive(p, alertId, householdId, home.point); });
  }

  private async arrive(p: Phone, alertId: string, householdId: string, point: Point): Promise<void> {
    const physical = this.o.clock.nowMs();
    p.returning = point;
    const pressAt = physical + Math.round(between(p.rng, 0, 3000));
    this.o.ledger.arrived({ alertId, householdId, responderId: p.account.responderId, at: physical, pressedAt: pressAt });
    this.at(pressAt, () => {
      void (async () => {
        const r = await this.call(p, 'POST', `/alerts/${alertId}/arrive`, {});
        this.o.ledger.acts.push({ at: pressAt, responderId: p.account.responderId, alertId, action: 'arrive', ok: r.ok, ...(r.code ? { code: r.code } : {}) });
        if (!r.ok && r.code === 'terminal') {
          // Closed while on the way (the other person at the door resolved it): back to the day.
          this.o.ledger.left({ alertId, responderId: p.account.responderId, at: this.o.clock.nowMs() });
          p.busyWith = null;
          return;
        }
        const kind = this.o.ledger.ongoing(householdId, physical)?.kind ?? null;
        const v = visit(p.rng, kind);
        this.at(pressAt + v.onSiteMs, () => { void this.resolve(p, alertId, householdId, v.outcome, v.note); });
      })();
    });
  }

  private async resolve(p: Phone, alertId: string, householdId: string, outcome: string, note: string): Promise<void> {
    const at = this.o.clock.nowMs();
    const r = await this.call(p, 'POST', `/alerts/${alertId}/resolve`, { outcome, note });
    this.o.ledger.acts.push({ at, responderId: p.account.responderId, alertId, action: 'resolve', ok: r.ok, ...(r.code ? { code: r.code } : {}) });
    this.o.ledger.left({ alertId, responderId: p.account.responderId, at });
    this.o.onVisitEnded(householdId, at, outcome);
    p.busyWith = null;
    // Back to their day at walking/cycling pace; paged before that, they start from this home.
    const from = p.returning;
    const back = at + travelMs(from ?? p.profile.base, p.profile.base, p.profile.mode, 0);
    this.at(back, () => { if (p.busyWith === null && p.returning === from) p.returning = null; });
  }

  /** One API call as the phone makes it; a session that expired signs in again once. */
  private async call<T = unknown>(p: Phone, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ ok: boolean; code?: string; body?: T }> {
    this.o.inFlight.begin();
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await fetch(`${this.o.httpUrl}/api/v1${path}`, {
          method, headers: { authorization: `Bearer ${p.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        if (res.status === 401 && attempt === 0) { await this.signIn(p); continue; }
        const json = await res.json().catch(() => ({})) as { error?: { code?: string } };
        if (res.ok) return { ok: true, body: json as T };
        const code = json.error?.code ?? String(res.status);
        this.refusals.set(`${path.split('/').pop()}:${code}`, (this.refusals.get(`${path.split('/').pop()}:${code}`) ?? 0) + 1);
        return { ok: false, code };
      }
      return { ok: false, code: 'unauthorized' };
    } finally {
      this.o.inFlight.end();
    }
  }
}
