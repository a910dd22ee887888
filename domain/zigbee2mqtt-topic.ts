/**
 * zigbee2mqtt 2.x topics under a hub's base topic (DESIGN §2 z2m_hub):
 *   <base>/bridge/<what>          the bridge itself (state, info, devices, event, logging, response/…)
 *   <base>/<name>                 a device's state as JSON (the whole cached state)
 *   <base>/<name>/<attribute>     one attribute (zigbee2mqtt `output: attribute` or `attribute_and_json`)
 *   <base>/<name>/availability    `{"state":"online"|"offline"}` (or the legacy plain string)
 *   <base>/<name>/set|get[/…]     commands to a device (never from the hub itself)
 * Friendly names may contain '/', so the caller says which names it knows.
 */
export type Z2mTopic =
  | { kind: 'bridge'; what: string }
  | { kind: 'state'; friendlyName: string }
  | { kind: 'attribute'; friendlyName: string; attribute: string }
  | { kind: 'availability'; friendlyName: string }
  | { kind: 'command' };

/** null when `topic` is not under `baseTopic`. */
export function parseZ2mTopic(topic: string, baseTopic: string, isKnownName: (name: string) => boolean): Z2mTopic | null {
  if (!topic.startsWith(baseTopic + '/')) return null;
  const rest = topic.slice(baseTopic.length + 1);
  if (rest === 'bridge' || rest.startsWith('bridge/')) return { kind: 'bridge', what: rest.slice('bridge/'.length) };
  if (rest.endsWith('/availability')) return { kind: 'availability', friendlyName: rest.slice(0, -'/availability'.length) };
  if (/\/(set|get)(\/[^/]+)?$/.test(rest)) return { kind: 'command' };
  if (isKnownName(rest)) return { kind: 'state', friendlyName: rest };
  const slash = rest.lastIndexOf('/');
  if (slash > 0 && isKnownName(rest.slice(0, slash))) {
    return { kind: 'attribute', friendlyName: rest.slice(0, slash), attribute: rest.slice(slash + 1) };
  }
  return { kind: 'state', friendlyName: rest };
}

/** Availability and bridge state: `{"state":"online"}` (2.x) or the legacy plain `online`. */
export function parseOnlineState(payload: string): 'online' | 'offline' | null {
  let value: unknown = payload.trim();
  try { value = JSON.parse(payload); } catch { /* legacy plain string */ }
  const state = typeof value === 'object' && value !== null ? (value as { state?: unknown }).state : value;
  return state === 'online' || state === 'offline' ? state : null;
}

/** A base topic a hub may be given: no wildcards, not ours, not $SYS, no empty levels. */
export function validBaseTopic(topic: string): boolean {
  return topic.length > 0 && topic.length <= 64 && !/[#+\u0000]/.test(topic) && !topic.startsWith('guardian/')
    && topic !== 'guardian' && !topic.startsWith('$') && !topic.split('/').some((level) => level === '');
}

/** A subscription filter a hub may hold: its own base topic and anything below it. */
export function hubMaySubscribe(filter: string, baseTopic: string): boolean {
  return filter === baseTopic || filter.startsWith(baseTopic + '/');
}

/** Where zigbee2mqtt takes commands for a device. */
export const z2mSetTopic = (baseTopic: string, friendlyName: string) => `${baseTopic}/${friendlyName}/set`;
