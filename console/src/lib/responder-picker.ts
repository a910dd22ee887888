import type { Responder } from './types';

/** Where the alert is, to rank people by how near they are to it. */
export interface PickPlace { householdId: string; buildingId?: string; gridId?: string }

export interface PickFilter { query: string; sameGrid: boolean; onDutyOnly: boolean }

/**
 * How near a responder is to the home, by the places they cover (there are no live positions):
 * 0 looks after this very home (a buddy), 1 this building (the building leader), 2 this grid
 * (its grid worker), 3 elsewhere in the community.
 */
export function nearness(r: Responder, p: PickPlace): number {
  if (r.householdIds?.includes(p.householdId)) return 0;
  if (p.buildingId && r.buildingIds?.includes(p.buildingId)) return 1;
  if (p.gridId && r.gridIds?.includes(p.gridId)) return 2;
  return 3;
}

const onDutyNow = (r: Responder) => r.onDutyNow ?? r.onDuty;

/**
 * The accept-on-behalf picker's list (issue 20 item 6: a flat list of ~110 people): active
 * people matching the name search, of the home's grid and on duty when asked, nearest first,
 * then on duty, then by name. `keep` (the holder) is always listed first.
 */
export function pickResponders(all: readonly Responder[], place: PickPlace, f: PickFilter, keep: string | null = null): Responder[] {
  const q = f.query.trim().toLowerCase();
  const collator = new Intl.Collator('zh-CN');
  return all
    .filter((r) => r.id === keep || (r.active !== false
      && (!q || r.name.toLowerCase().includes(q) || r.id.toLowerCase().includes(q))
      && (!f.sameGrid || nearness(r, place) <= 2)
      && (!f.onDutyOnly || onDutyNow(r))))
    .sort((a, b) => Number(b.id === keep) - Number(a.id === keep)
      || nearness(a, place) - nearness(b, place)
      || Number(onDutyNow(b)) - Number(onDutyNow(a))
      || collator.compare(a.name, b.name));
}
