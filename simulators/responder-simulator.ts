import { ResponderApi, ResponderApiError, type AlertSummary, type ResponderAction } from './responder-api.js';
import { fieldResponders, type ResponderLogin } from './responder-logins.js';
import { planResponse, type ResponsePlan } from './responder-plan.js';

/**
 * Simulated field responders (issue 4 item 9): each demo responder logs in through the HTTP API,
 * polls the alerts they were paged about, and accepts, arrives and resolves them with the
 * delays and outcomes of responder-plan.ts — some late, so escalation and SLA breaches show.
 * Several simulated responders paged for one alert race to accept it, as people do; the API's
 * first-accept-wins answers the others 409 ("taken by …") and they drop it.
 */
export interface ResponderSimulationOptions {
  /** The HTTP API, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Console logins; only accounts with role 'responder' and a responderId act. */
  logins: readonly ResponderLogin[];
  /** Share of alerts handled late (default 0.2). */
  lateRate?: number;
  /** Simulated time runs this many times faster than real time (default 1). */
  speed?: number;
  seed?: number;
  /** Real milliseconds between polls per responder (default 2000, at least 100). */
  pollMs?: number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export interface ResponderSimulationStats {
  responders: number;
  loggedIn: number;
  accepted: number;
  arrived: number;
  resolved: number;
  late: number;
  /** 409s: someone else took the alert, or it moved on (cancelled, resolved). */
  conflicts: number;
  errors: number;
}

export interface ResponderSimulation {
  /** Resolves once every responder tried to log in. */
  ready: Promise<{ loggedIn: number; failed: Array<{ username: string; error: string }> }>;
  stats(): ResponderSimulationStats;
  stop(): Promise<void>;
}

export function startResponderSimulation(opts: ResponderSimulationOptions): ResponderSimulation {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('speed must be positive');
  const lateRate = opts.lateRate ?? 0.2;
  const pollMs = Math.max(100, opts.pollMs ?? 2000);
  const log = opts.log ?? (() => {});
  const people = fieldResponders(opts.logins);
  const stats: ResponderSimulationStats = {
    responders: people.length, loggedIn: 0, accepted: 0, arrived: 0, resolved: 0, late: 0, conflicts: 0, errors: 0,
  };
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const later = (ms: number, fn: () => Promise<void>) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (stopped) return;
      const p = fn().catch((err) => { stats.errors++; log(`responder simulation: ${(err as Error).message}`); });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }, ms);
    timers.add(t);
  };
  const realMs = (simS: number) => Math.round((simS * 1000) / speed);

  function runResponder(person: ResponderLogin & { responderId: string }, api: ResponderApi): void {
    /** Alerts this person is already handling (or gave up on), so a poll does not re-plan them. */
    const handling = new Set<string>();

    const step = async (alert: AlertSummary, plan: ResponsePlan, action: ResponderAction): Promise<void> => {
      try {
        await api.act(alert.id, action, action === 'resolve' ? { outcome: plan.outcome, note: plan.note } : {});
      } catch (err) {
        if (err instanceof ResponderApiError && err.code === 'on_site_elsewhere') {
          // Still at another door (issue 15: nobody is at two homes at once): finish there first.
          later(realMs(60), () => step(alert, plan, action));
          return;
        }
        if (err instanceof ResponderApiError && (err.status === 409 || err.status === 404 || err.status === 403)) {
          stats.conflicts++;
          log(`${person.displayName}: ${action} ${alert.id} refused (${err.status} ${err.code}): ${err.message}`);
          return; // someone else has it, or it is over: stay out of it
        }
        handling.delete(alert.id); // transient: the next poll plans it again
        throw err;
      }
      if (action === 'accept') {
        stats.accepted++;
        if (plan.late) stats.late++;
        log(`${person.displayName}: accepted ${alert.kind} ${alert.id}${plan.late ? ' (running late)' : ''}`);
        later(realMs(plan.arriveAfterS), () => step(alert, plan, 'arrive'));
      } else if (action === 'arrive') {
        stats.arrived++;
        log(`${person.displayName}: on site for ${alert.id}`);
        later(realMs(plan.resolveAfterS), () => step(alert, plan, 'resolve'));
      } else {
        stats.resolved++;
        log(`${person.displayName}: resolved ${alert.id} as ${plan.outcome}`);
      }
    };

    const poll = async (): Promise<void> => {
      for (const alert of await api.liveAlerts()) {
        if (handling.has(alert.id)) continue;
        const mine = alert.acceptedBy === person.responderId;
        let next: ResponderAction | null = null;
        if (alert.state === 'notified' && !alert.acceptedBy) next = 'accept';
        else if (alert.state === 'accepted' && mine) next = 'arrive'; // e.g. picked up after a restart
        else if (alert.state === 'on_site' && mine) next = 'resolve';
        if (!next) continue;
        handling.add(alert.id);
        const plan = planResponse(alert, { lateRate, seed: opts.seed, responderId: person.responderId });
        const delayS = next === 'accept' ? plan.acceptAfterS : next === 'arrive' ? plan.arriveAfterS : plan.resolveAfterS;
        const action = next;
        later(realMs(delayS), () => step(alert, plan, action));
      }
    };

    const loop = () => later(pollMs, async () => {
      try {
        await poll();
      } finally {
        loop();
      }
    });
    const first = poll().catch((err) => { stats.errors++; log(`${person.displayName}: ${(err as Error).message}`); }).finally(loop);
    inFlight.add(first);
    void first.finally(() => inFlight.delete(first));
  }

  const ready = (async () => {
    const failed: Array<{ username: string; error: string }> = [];
    await Promise.all(people.map(async (person) => {
      const api = new ResponderApi(opts.url, opts.fetch);
      try {
        await api.login(person.username, person.password);
      } catch (err) {
        failed.push({ username: person.username, error: (err as Error).message });
        return;
      }
      if (stopped) return;
      stats.loggedIn++;
      runResponder(person, api);
    }));
    return { loggedIn: stats.loggedIn, failed };
  })();

  return {
    ready,
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await ready.catch(() => {});
      await Promise.allSettled([...inFlight]);
    },
  };
}
