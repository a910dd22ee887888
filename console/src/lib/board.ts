import type { AlertKind, HouseholdItem } from './types';

/**
 * Tile colours of the household board, most urgent first. The legend, the tiles and the KPI
 * strip use the same facts (issue 20 item 4: battery-low homes showed purple "设备离线" while
 * the KPI said 0 devices offline): "offline" is a home with a device that is not reporting —
 * exactly what the KPI counts — and a low battery is a state of its own.
 */
export type TileStatus = 'alert' | 'unmonitored' | 'inactive' | 'offline' | 'battery' | 'normal';
export const TILE_STATUSES: readonly TileStatus[] = ['alert', 'unmonitored', 'inactive', 'offline', 'battery', 'normal'];

export interface TileInput {
  devicesOnline: number;
  devicesTotal: number;
  monitored?: boolean;
  /** Kinds of the home's live alerts. */
  alertKinds: readonly AlertKind[];
}

/**
 * One status per home. An emergency (SOS, fall, smoke, gas, leak) wins; then "nobody can see
 * this home" (every sensor silent, or no sensor at all); then inactivity; then a device that is
 * not reporting now (the device counts, not a device_offline alert that may be stale); then a
 * low battery. Pure, so 5,000 tiles cost 5,000 cheap calls.
 */
export function tileStatus(h: TileInput): TileStatus {
  let inactive = false;
  let unmonitored = false;
  let battery = false;
  for (const k of h.alertKinds) {
    if (k === 'inactivity') inactive = true;
    else if (k === 'household_unmonitored') unmonitored = true;
    else if (k === 'battery_low') battery = true;
    else if (k !== 'device_offline') return 'alert';
  }
  if (unmonitored || h.monitored === false || h.devicesTotal === 0 || h.devicesOnline === 0) return 'unmonitored';
  if (inactive) return 'inactive';
  if (h.devicesOnline < h.devicesTotal) return 'offline';
  if (battery) return 'battery';
  return 'normal';
}

export interface BuildingGroup { id: string; name: string; households: HouseholdItem[] }
export interface GridGroup { id: string; name: string; buildings: BuildingGroup[]; count: number }

/** grid → building → households, each level in natural order (第2网格 before 第10网格). */
export function groupBoard(households: readonly HouseholdItem[]): GridGroup[] {
  const grids = new Map<string, GridGroup>();
  const buildings = new Map<string, BuildingGroup>();
  for (const h of households) {
    let g = grids.get(h.gridId);
    if (!g) { g = { id: h.gridId, name: h.gridName, buildings: [], count: 0 }; grids.set(h.gridId, g); }
    let b = buildings.get(h.buildingId);
    if (!b) { b = { id: h.buildingId, name: h.buildingName, households: [] }; buildings.set(h.buildingId, b); g.buildings.push(b); }
    b.households.push(h);
    g.count++;
  }
  const collator = new Intl.Collator('zh-CN', { numeric: true });
  const out = [...grids.values()].sort((a, b) => collator.compare(a.name, b.name));
  for (const g of out) {
    g.buildings.sort((a, b) => collator.compare(a.name, b.name));
    for (const b of g.buildings) b.households.sort((x, y) => collator.compare(x.unit, y.unit));
  }
  return out;
}
