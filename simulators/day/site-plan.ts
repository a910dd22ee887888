/**
 * Where things are in the simulated community (issue 14 item 3): a site plan in metres for
 * buildings, and the base each responder starts from. Pure. Compounds (one per grid) sit in a
 * row-by-row block layout 260 × 220 m apart, buildings inside a compound 45 × 35 m apart; other
 * communities lie 1.5 km further along. Walking paths are not straight lines: distances are
 * 1.3 × the straight line (a common detour factor for urban walking).
 */
export interface Point { x: number; y: number }

export interface PlanBuilding { id: string; gridId: string; communityId: string }

export const DETOUR = 1.3;

const BLOCK_X = 260, BLOCK_Y = 220, BUILDING_X = 45, BUILDING_Y = 35, COMMUNITY_GAP = 1500;

/** Building positions, stable for the same set of buildings (ordered by id within grid and community). */
export function sitePlan(buildings: readonly PlanBuilding[]): Map<string, Point> {
  const out = new Map<string, Point>();
  const communities = [...new Set(buildings.map((b) => b.communityId))].sort();
  for (const [ci, communityId] of communities.entries()) {
    const grids = [...new Set(buildings.filter((b) => b.communityId === communityId).map((b) => b.gridId))].sort(byNumber);
    for (const [gi, gridId] of grids.entries()) {
      const inGrid = buildings.filter((b) => b.gridId === gridId).map((b) => b.id).sort(byNumber);
      const bx = ci * COMMUNITY_GAP + (gi % 3) * BLOCK_X, by = Math.floor(gi / 3) * BLOCK_Y;
      for (const [k, id] of inGrid.entries()) out.set(id, { x: bx + 20 + (k % 2) * BUILDING_X, y: by + 20 + Math.floor(k / 2) * BUILDING_Y });
    }
  }
  return out;
}

/** Ids with numbers sort by number: g-demo-2 before g-demo-10. */
function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function centroid(points: readonly Point[]): Point {
  if (points.length === 0) return { x: 0, y: 0 };
  return { x: points.reduce((s, p) => s + p.x, 0) / points.length, y: points.reduce((s, p) => s + p.y, 0) / points.length };
}

/** Walking distance in metres. */
export function pathMetres(a: Point, b: Point): number {
  return DETOUR * Math.hypot(a.x - b.x, a.y - b.y);
}

/** The floor of a flat from its unit ("3单元502室" → 5); 1 when it cannot tell. */
export function floorOf(unit: string): number {
  const m = /(\d{3,4})室/.exec(unit);
  return m ? Math.max(1, Math.floor(Number(m[1]) / 100)) : 1;
}
