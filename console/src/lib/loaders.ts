import { ApiError, get, getAll, qs } from './api';
import type { RestState } from './live.svelte';
import type { Alert, HouseholdItem, Page, Responder, ServiceConfig } from './types';

const LIVE = 'open,notified,accepted,on_site';

/** A list that may not exist yet on this server: 404/405 → undefined instead of an error. */
async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try { return await p; } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 403)) return undefined;
    throw err;
  }
}

/**
 * REST state of the dispatch screen: every live alert, the most recent closed ones (today's
 * KPIs), every household (pages of 1,000) and the responders with their duty state.
 */
export async function loadDispatch({ households }: { households: boolean }): Promise<RestState> {
  const [live, recent, homes, responders, settings] = await Promise.all([
    getAll<Alert>('/alerts', { state: LIVE }),
    get<Page<Alert>>('/alerts' + qs({ state: 'resolved,cancelled', limit: 500 })),
    households ? getAll<HouseholdItem>('/households') : Promise.resolve(undefined),
    optional(get<Page<Responder>>('/responders' + qs({ limit: 1000 }))),
    optional(loadSettingsConfig()),
  ]);
  const byId = new Map<string, Alert>();
  for (const a of recent.items) byId.set(a.id, a);
  for (const a of live) byId.set(a.id, a);
  return { alerts: [...byId.values()], households: homes, responders: responders?.items, config: settings };
}

/** The responder's own alerts (the API scopes the list to them). */
export async function loadMine(): Promise<RestState> {
  const live = await getAll<Alert>('/alerts', { state: LIVE });
  return { alerts: live };
}

/** GET /settings as the timing the screens count with (the dispatch room; the snapshot says the same). */
export async function loadSettingsConfig(): Promise<ServiceConfig> {
  const s = await get<{ timezone: string; dayShift: string; ackTimeoutS: number; slaWarnS: number; slaOnsiteS: number; shift?: ServiceConfig['shift'] }>('/settings');
  return { tz: s.timezone, dayShift: s.dayShift, ackTimeoutS: s.ackTimeoutS, slaWarnS: s.slaWarnS, slaOnsiteS: s.slaOnsiteS, shift: s.shift };
}
