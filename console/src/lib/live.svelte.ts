import { tileStatus, type TileStatus } from './board';
import {
  LIVE_STATES, SEVERITY_OF,
  type Alert, type AlertKind, type HouseholdItem, type LiveEvent, type LiveSnapshot, type Responder,
  type ResponderNotifyData, type RosterGapData, type ServiceConfig,
} from './types';

/**
 * The one owner of the live feed (`GET /api/v1/live`, DESIGN §6). It connects, takes the
 * snapshot, applies `{seq, type, data}` events strictly in sequence, and keeps a `status` the
 * screens use so nothing stale is ever shown as live:
 *
 *   connecting → live (snapshot received, or a resumed socket is open)
 *   live → stale   (socket closed/errored: banner "实时连接已断开 — 正在重连…")
 *   stale → live   (reconnected; resumed with ?since=<last seq>)
 *
 * Sequence rules: seq ≤ last seen is a duplicate and ignored (a resume may replay); seq > last+1
 * is a gap: the event is not applied and the socket is reopened with ?since=<last seq>, so the
 * server replays the missing ones (or sends a fresh snapshot when it no longer has them).
 * Reconnects back off 0.5 s → 1 → 2 → … → 15 s with jitter. While stale, the REST endpoints are
 * polled so the screen still moves, with the banner saying how old the data is.
 */

export type LiveStatus = 'idle' | 'connecting' | 'live' | 'stale';

/** The parts of WebSocket the store uses, so tests can hand in a fake. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface RestState {
  alerts?: Alert[];
  households?: HouseholdItem[];
  responders?: Responder[];
  config?: ServiceConfig;
}

export interface LiveOptions {
  /** URL of the feed; `since` is the last applied seq on a resume. */
  url?: (since: number | null) => string;
  socket?: (url: string) => SocketLike;
  /** Loads state over REST: at start (households), after a snapshot without alerts, and while stale. */
  load?: (what: { households: boolean }) => Promise<RestState>;
  /** Whether this screen needs the household board (the phone view does not). */
  households?: boolean;
  /**
   * Whether a skipped seq means a lost event (then the store resumes from the last one applied).
   * Only for a feed that carries every event. Since issue 23 every feed of the app is filtered to
   * its user's scope — a responder's to their own alerts, an operator's to their communities — so
   * seqs skip numbers by design (api/routes/live-routes.ts) and the app's stores are not strict:
   * a strict store resumed at each event of another community, and the resume replayed the same
   * skip, so the dispatch screen reconnected in a loop and stopped applying updates.
   */
  strictSeq?: boolean;
  pollWhileStaleMs?: number;
  now?: () => number;
  /**
   * Batches events: when given, events off the wire are queued and applied together when the
   * scheduler calls back (the app uses `frameScheduler`: once per animation frame), so 200
   * events/s cost at most one screen update per frame instead of one each. Without it, each
   * event is applied as it arrives (tests).
   */
  schedule?: (flush: () => void) => void;
}

/**
 * Once per animation frame; a timer as well, because a hidden tab (the wall screen behind
 * another window) gets no frames and must still apply the feed. Whichever comes first runs.
 */
export function frameScheduler(flush: () => void): void {
  let done = false;
  const once = () => { if (!done) { done = true; flush(); } };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
  setTimeout(once, 100);
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/** One home on the board. Fields are reactive per tile, so an update repaints one tile. */
export class Tile {
  devicesOnline = $state(0);
  devicesTotal = $state(0);
  monitored = $state<boolean | undefined>(undefined);
  lastActivityAt = $state<string | null>(null);
  alertKinds = $state.raw<AlertKind[]>([]);
  /** A critical alert nobody has accepted yet: the tile flashes. */
  flashing = $state(false);
  status: TileStatus = $derived(tileStatus(this));

  readonly info: HouseholdItem;

  constructor(info: HouseholdItem) {
    this.info = info;
    this.devicesOnline = info.devicesOnline;
    this.devicesTotal = info.devicesTotal;
    this.lastActivityAt = info.lastActivityAt;
  }
}

export class LiveStore {
  status = $state<LiveStatus>('idle');
  /** When the data on screen was last known to be current (snapshot, event or poll). */
  updatedAt = $state<number | null>(null);
  /** Live and recently closed alerts, by id (replaced as a whole: a few hundred at most). */
  alerts = $state.raw<Alert[]>([]);
  /** The board's structure: every household (rarely changes). */
  households = $state.raw<HouseholdItem[]>([]);
  responders = $state.raw<Responder[]>([]);
  rosterGaps = $state.raw<RosterGapData[]>([]);
  /** The server's SLA/ack settings and shift (snapshot, resume, GET /settings); null until it said. */
  config = $state<ServiceConfig | null>(null);
  community = $state<string | null>(null);
  devicesOffline = $state(0);
  /** The last alert that arrived as new while we watched (for the aria-live announcement). */
  lastNew = $state<Alert | null>(null);

  readonly tiles = new Map<string, Tile>();
  lastSeq: number | null = null;
  /** URLs of every socket opened, newest last (tests and diagnostics). */
  readonly opened: string[] = [];
  /** Counters for diagnostics and the console benchmark (bench/scenarios/6-console.ts); not reactive. */
  readonly stats = { snapshots: 0, applied: 0, duplicates: 0, gaps: 0 };

  #alerts = new Map<string, Alert>();
  #deviceOnline = new Map<string, boolean>();
  #socket: SocketLike | null = null;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #stopped = true;
  #initialised = false;
  #newListeners = new Set<(a: Alert) => void>();
  #notifyListeners = new Set<(n: ResponderNotifyData) => void>();
  readonly #opts: Required<Omit<LiveOptions, 'load' | 'schedule'>> & Pick<LiveOptions, 'load' | 'schedule'>;
  /** Events waiting for the next batch (only with `schedule`). */
  #pending: LiveEvent[] = [];
  #flushScheduled = false;
  /** Inside a batch: the alerts array is published once at its end. */
  #batching = false;
  #alertsDirty = false;
  /** household id → ids of its alerts, so a tile is recomputed from its own alerts only. */
  #alertsByHome = new Map<string, Set<string>>();

  constructor(opts: LiveOptions = {}) {
    this.#opts = {
      url: opts.url ?? defaultUrl,
      socket: opts.socket ?? ((u) => new WebSocket(u) as unknown as SocketLike),
      load: opts.load,
      households: opts.households ?? true,
      strictSeq: opts.strictSeq ?? true,
      pollWhileStaleMs: opts.pollWhileStaleMs ?? 10_000,
      now: opts.now ?? Date.now,
      schedule: opts.schedule,
    };
  }

  /** Called for every alert that appears while watching (not for the first load). */
  onNewAlert(fn: (a: Alert) => void): () => void {
    this.#newListeners.add(fn);
    return () => this.#newListeners.delete(fn);
  }

  /** In-app notifications addressed to the signed-in responder (`responder.notify`). */
  onNotify(fn: (n: ResponderNotifyData) => void): () => void {
    this.#notifyListeners.add(fn);
    return () => this.#notifyListeners.delete(fn);
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.status = 'connecting';
    // The board's structure comes over REST (5,000 homes in pages of 1,000), alongside the socket.
    const initial = this.#opts.load ? this.refresh() : Promise.resolve();
    this.#open();
    await initial;
  }

  stop(): void {
    this.#stopped = true;
    this.#pending = [];
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopPolling();
    const s = this.#socket;
    this.#socket = null;
    if (s) { s.onclose = s.onmessage = s.onerror = s.onopen = null; s.close(1000, 'bye'); }
    this.status = 'idle';
  }

  /** Reconnect at once (the banner's button; also after the tab wakes up). */
  reconnectNow(): void {
    if (this.#stopped) return;
    if (this.#retryTimer) { clearTimeout(this.#retryTimer); this.#retryTimer = null; }
    this.#attempt = 0;
    if (this.#socket) this.#drop(); else this.#open();
  }

  /** Reload state over REST (start, polling while stale, a snapshot without data). */
  async refresh(): Promise<void> {
    if (!this.#opts.load) return;
    try {
      const r = await this.#opts.load({ households: this.#opts.households });
      if (r.households) this.setHouseholds(r.households);
      if (r.responders) this.responders = r.responders;
      if (r.config) this.setConfig(r.config);
      // Only a load that carried alerts counts as "seen them all": anything after it is new.
      if (r.alerts) { this.replaceAlerts(r.alerts, !this.#initialised); this.#initialised = true; }
      if (this.status !== 'live') this.updatedAt = this.#opts.now();
    } catch (err) {
      console.warn('refresh failed', err);
    }
  }

  // --- socket -------------------------------------------------------------------------------

  #open(): void {
    if (this.#stopped) return;
    const since = this.lastSeq;
    const url = this.#opts.url(since);
    this.opened.push(url);
    let s: SocketLike;
    try {
      s = this.#opts.socket(url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = s;
    s.onopen = () => {
      // A resumed socket replays what we missed right away; a fresh one waits for the snapshot.
      if (since !== null) this.#becomeLive();
    };
    s.onmessage = (ev) => this.#onMessage(ev.data);
    s.onerror = () => { /* onclose follows */ };
    s.onclose = () => {
      if (this.#socket !== s) return;
      this.#socket = null;
      this.#goStale();
      this.#scheduleReconnect();
    };
  }

  /** Close the current socket on purpose and open a resumed one without waiting. */
  #drop(): void {
    // Whatever the old socket still had queued is replayed by the resumed one.
    this.#pending = [];
    const s = this.#socket;
    this.#socket = null;
    if (s) { s.onclose = s.onmessage = s.onerror = s.onopen = null; s.close(4000, 'resume'); }
    this.#open();
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#retryTimer) return;
    const base = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
    this.#attempt++;
    const delay = base / 2 + Math.random() * base / 2;
    this.#retryTimer = setTimeout(() => { this.#retryTimer = null; this.#open(); }, delay);
  }

  #becomeLive(): void {
    this.status = 'live';
    this.#attempt = 0;
    this.updatedAt = this.#opts.now();
    this.#stopPolling();
  }

  #goStale(): void {
    if (this.status === 'live' || this.status === 'connecting') this.status = 'stale';
    if (!this.#pollTimer && this.#opts.load && this.#opts.pollWhileStaleMs > 0) {
      this.#pollTimer = setInterval(() => { void this.refresh(); }, this.#opts.pollWhileStaleMs);
    }
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  #onMessage(raw: unknown): void {
    let msg: { type?: string; seq?: unknown; data?: unknown };
    try {
      msg = typeof raw === 'string' ? JSON.parse(raw) : (raw as typeof msg);
    } catch {
      return;
    }
    if (!msg || typeof msg.seq !== 'number') return;
    if (msg.type === 'snapshot' || msg.type === 'resume') this.flush();
    if (msg.type === 'snapshot') this.applySnapshot(msg as LiveSnapshot);
    // `resume` (api/routes/live-routes.ts): the server replays seq > since, then streams.
    else if (msg.type === 'resume') {
      const cfg = (msg.data as { config?: ServiceConfig } | undefined)?.config;
      if (cfg) this.setConfig(cfg);
      this.#becomeLive();
    }
    else if (this.#opts.schedule) this.#enqueue(msg as LiveEvent);
    else this.receive(msg as LiveEvent);
  }

  #enqueue(ev: LiveEvent): void {
    this.#pending.push(ev);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#opts.schedule!(() => this.flush());
  }

  /** Applies every queued event now, in order, publishing the alert list once. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#batching = true;
    try {
      for (const ev of batch) {
        // A gap reopens the socket (#drop clears the queue): the rest comes again in the replay.
        if (this.receive(ev) === 'gap') break;
      }
    } finally {
      this.#batching = false;
      if (this.#alertsDirty) { this.#alertsDirty = false; this.alerts = [...this.#alerts.values()]; }
    }
  }

  // --- applying -----------------------------------------------------------------------------

  applySnapshot(snap: LiveSnapshot): void {
    this.stats.snapshots++;
    const d = snap.data ?? {};
    this.lastSeq = snap.seq;
    if (d.config) this.setConfig(d.config);
    if (d.community?.name) this.community = d.community.name;
    if (d.households) this.setHouseholds(d.households);
    if (d.responders) this.responders = d.responders;
    // The board's own counts win once it has the homes: the KPI must say what the tiles show.
    if (this.tiles.size === 0 && d.summary && typeof d.summary.devices === 'number' && typeof d.summary.devicesOnline === 'number') {
      this.devicesOffline = Math.max(0, d.summary.devices - d.summary.devicesOnline);
    }
    if (d.alerts) {
      this.replaceAlerts(d.alerts, !this.#initialised);
      this.#initialised = true;
    } else {
      // The snapshot did not carry alerts: take them over REST so the queue is current.
      void this.refresh();
    }
    this.#becomeLive();
  }

  /**
   * One event off the wire: in order → applied; duplicate → ignored; gap → resume.
   * Returns what happened (for tests and diagnostics).
   */
  receive(ev: LiveEvent): 'applied' | 'duplicate' | 'gap' {
    if (this.lastSeq !== null) {
      if (ev.seq <= this.lastSeq) { this.stats.duplicates++; return 'duplicate'; }
      if (this.#opts.strictSeq && ev.seq > this.lastSeq + 1) {
        this.stats.gaps++;
        this.#drop();
        return 'gap';
      }
    }
    this.lastSeq = ev.seq;
    this.stats.applied++;
    this.apply(ev);
    this.updatedAt = this.#opts.now();
    return 'applied';
  }

  apply(ev: LiveEvent): void {
    switch (ev.type) {
      case 'alert.created':
      case 'alert.updated':
        this.upsertAlert(ev.data);
        break;
      case 'household.status': {
        const tile = this.tiles.get(ev.data.householdId);
        if (!tile) break;
        if (ev.data.monitored !== undefined) tile.monitored = ev.data.monitored;
        if (ev.data.lastActivityAt !== undefined) tile.lastActivityAt = ev.data.lastActivityAt;
        break;
      }
      case 'device.status': {
        const { deviceId, householdId, online } = ev.data;
        const before = this.#deviceOnline.get(deviceId);
        this.#deviceOnline.set(deviceId, online);
        const tile = this.tiles.get(householdId);
        // Device events are transitions; a repeat of the known state changes nothing.
        if (!tile || before === online) break;
        const next = Math.max(0, Math.min(tile.devicesTotal, tile.devicesOnline + (online ? 1 : -1)));
        this.devicesOffline += (tile.devicesOnline - next);
        tile.devicesOnline = next;
        break;
      }
      case 'responder.status': {
        const { responderId, onDuty, role } = ev.data;
        const known = this.responders.some((r) => r.id === responderId);
        this.responders = known
          ? this.responders.map((r) => (r.id === responderId ? { ...r, onDuty, onDutyNow: onDuty && (r.onDutyNow ?? true) } : r))
          : [...this.responders, { id: responderId, name: responderId, role: role ?? 'grid_worker', onDuty, onDutyNow: onDuty }];
        break;
      }
      case 'responder.notify':
        for (const fn of this.#notifyListeners) fn(ev.data);
        break;
      case 'roster.gap':
        this.rosterGaps = [...this.rosterGaps.filter((g) => !(g.gridId === ev.data.gridId && g.role === ev.data.role)), ev.data].slice(-10);
        break;
    }
  }

  /** Takes the server's timing; a partial answer (an older server) keeps what it does not say. */
  setConfig(c: Partial<ServiceConfig>): void {
    if (typeof c.slaOnsiteS !== 'number' || typeof c.slaWarnS !== 'number') return;
    this.config = { ...(this.config ?? {}), ...c } as ServiceConfig;
  }

  upsertAlert(data: Alert): void {
    const before = this.#alerts.get(data.id);
    const merged: Alert = { ...before, ...data };
    merged.severity ??= SEVERITY_OF[merged.kind];
    if (!merged.household) {
      const tile = this.tiles.get(merged.householdId);
      if (tile) merged.household = { unit: tile.info.unit, buildingName: tile.info.buildingName, gridName: tile.info.gridName };
    }
    this.#alerts.set(data.id, merged);
    this.#index(merged);
    if (this.#batching) this.#alertsDirty = true;
    else this.alerts = [...this.#alerts.values()];
    this.#recomputeTile(merged.householdId);
    if (!before && this.#initialised && LIVE_STATES.includes(merged.state)) {
      this.lastNew = merged;
      for (const fn of this.#newListeners) fn(merged);
    }
  }

  replaceAlerts(list: Alert[], first: boolean): void {
    const known = new Set(this.#alerts.keys());
    const previous = this.#alerts;
    this.#alerts = new Map();
    // Closed alerts are kept for today's KPIs when the new list (a snapshot) has only live ones.
    for (const a of previous.values()) if (!LIVE_STATES.includes(a.state)) this.#alerts.set(a.id, a);
    for (const a of list) {
      const merged = { ...a, severity: a.severity ?? SEVERITY_OF[a.kind] };
      if (!merged.household) {
        const tile = this.tiles.get(a.householdId);
        if (tile) merged.household = { unit: tile.info.unit, buildingName: tile.info.buildingName, gridName: tile.info.gridName };
      }
      // The REST list and the snapshot usually carry the same alerts: keeping the object we
      // already show lets the keyed queue skip the row instead of redrawing all 200.
      const old = previous.get(a.id);
      this.#alerts.set(a.id, old && sameAlert(old, merged) ? old : merged);
    }
    this.#alertsByHome.clear();
    for (const a of this.#alerts.values()) this.#index(a);
    this.#alertsDirty = false;
    this.alerts = [...this.#alerts.values()];
    for (const tile of this.tiles.values()) if (tile.alertKinds.length || tile.flashing) { tile.alertKinds = []; tile.flashing = false; }
    for (const h of new Set(list.map((a) => a.householdId))) this.#recomputeTile(h);
    // Alerts that arrived while we were disconnected still deserve the alarm.
    if (!first) {
      for (const a of this.alerts) {
        if (!known.has(a.id) && LIVE_STATES.includes(a.state)) {
          this.lastNew = a;
          for (const fn of this.#newListeners) fn(a);
        }
      }
    }
  }

  setHouseholds(list: HouseholdItem[]): void {
    const seen = new Set<string>();
    let offline = 0;
    for (const h of list) {
      seen.add(h.id);
      const t = this.tiles.get(h.id);
      if (t) { t.devicesOnline = h.devicesOnline; t.devicesTotal = h.devicesTotal; t.lastActivityAt = h.lastActivityAt; }
      else this.tiles.set(h.id, new Tile(h));
      offline += Math.max(0, h.devicesTotal - h.devicesOnline);
    }
    for (const id of [...this.tiles.keys()]) if (!seen.has(id)) this.tiles.delete(id);
    this.devicesOffline = offline;
    this.#deviceOnline.clear();
    // Replace the structure only when it changed, so a poll does not rebuild 5,000 tiles.
    if (list.length !== this.households.length || list.some((h, i) => h.id !== this.households[i]?.id)) {
      this.households = list;
    }
    for (const id of seen) this.#recomputeTile(id);
  }

  #recomputeTile(householdId: string): void {
    const tile = this.tiles.get(householdId);
    if (!tile) return;
    const kinds: AlertKind[] = [];
    let flashing = false;
    for (const id of this.#alertsByHome.get(householdId) ?? []) {
      const a = this.#alerts.get(id);
      if (!a || !LIVE_STATES.includes(a.state)) continue;
      kinds.push(a.kind);
      if (a.severity === 'critical' && (a.state === 'open' || a.state === 'notified')) flashing = true;
    }
    if (kinds.join() !== tile.alertKinds.join()) tile.alertKinds = kinds;
    tile.flashing = flashing;
  }

  #index(a: Alert): void {
    let set = this.#alertsByHome.get(a.householdId);
    if (!set) { set = new Set(); this.#alertsByHome.set(a.householdId, set); }
    set.add(a.id);
  }

  alert(id: string): Alert | undefined {
    return this.#alerts.get(id);
  }
}

/** Same values in every field the new copy has (household compared by place). */
function sameAlert(old: Alert, next: Alert): boolean {
  for (const k of Object.keys(next) as (keyof Alert)[]) {
    if (k === 'household') {
      const a = old.household, b = next.household;
      if (a?.unit !== b?.unit || a?.buildingName !== b?.buildingName || a?.gridName !== b?.gridName) return false;
    } else if (old[k] !== next[k] && !(Array.isArray(old[k]) && JSON.stringify(old[k]) === JSON.stringify(next[k]))) return false;
  }
  return true;
}

function defaultUrl(since: number | null): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/v1/live${since === null ? '' : `?since=${since}`}`;
}
