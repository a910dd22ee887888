/**
 * A phone's GPS fix on the community's site plan (issue 15 item 1): the plan is in metres from
 * its own origin, with its own rotation; the buildings the register gives both a lat/lng and an
 * x/y are the reference points. Pure.
 *
 * - 3+ references not on one line: a full affine fit (least squares) — any rotation, scale,
 *   skew or a mirrored plan (y pointing down).
 * - 2 references (or all on a line): rotation + scale + shift (a similarity), the plan not mirrored.
 * - 1 reference: the phone is placed at that building (nearest-building fallback).
 * - none: null — the phone cannot be put on the plan.
 */
export interface PlanReference { lat: number; lng: number; x: number; y: number }

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LNG_EQUATOR = 111_320;

export function gpsToPlan(refs: readonly PlanReference[], lat: number, lng: number): { x: number; y: number } | null {
  if (refs.length === 0) return null;
  if (refs.length === 1) return { x: refs[0]!.x, y: refs[0]!.y };
  // Local metres east/north around the references' centre (flat over a community's few hundred metres).
  const lat0 = refs.reduce((s, r) => s + r.lat, 0) / refs.length;
  const lng0 = refs.reduce((s, r) => s + r.lng, 0) / refs.length;
  const kx = M_PER_DEG_LNG_EQUATOR * Math.cos((lat0 * Math.PI) / 180);
  const local = (la: number, ln: number) => ({ e: (ln - lng0) * kx, n: (la - lat0) * M_PER_DEG_LAT });
  const pts = refs.map((r) => ({ ...local(r.lat, r.lng), x: r.x, y: r.y }));
  const p = local(lat, lng);
  return affine(pts, p) ?? similarity(pts, p);
}

type Pt = { e: number; n: number; x: number; y: number };

/** Least squares x = a·e + b·n + c (and y likewise); null when the references lie on a line. */
function affine(pts: Pt[], p: { e: number; n: number }): { x: number; y: number } | null {
  if (pts.length < 3) return null;
  let see = 0, sen = 0, snn = 0, se = 0, sn = 0;
  for (const q of pts) { see += q.e * q.e; sen += q.e * q.n; snn += q.n * q.n; se += q.e; sn += q.n; }
  const m = [[see, sen, se], [sen, snn, sn], [se, sn, pts.length]];
  const det = det3(m);
  const scale = Math.max(see, snn, 1);
  if (Math.abs(det) < 1e-9 * scale * scale * pts.length) return null;
  const solve = (v: (q: Pt) => number) => {
    let r0 = 0, r1 = 0, r2 = 0;
    for (const q of pts) { r0 += q.e * v(q); r1 += q.n * v(q); r2 += v(q); }
    const rhs = [r0, r1, r2];
    return [0, 1, 2].map((col) => det3(m.map((row, i) => row.map((c, j) => (j === col ? rhs[i]! : c)))) / det);
  };
  const [a, b, c] = solve((q) => q.x);
  const [d, e, f] = solve((q) => q.y);
  return { x: a! * p.e + b! * p.n + c!, y: d! * p.e + e! * p.n + f! };
}

/** Least squares z = s·w + t over complex numbers (w = e + i·n, z = x + i·y). */
function similarity(pts: Pt[], p: { e: number; n: number }): { x: number; y: number } {
  const k = pts.length;
  const me = pts.reduce((s, q) => s + q.e, 0) / k, mn = pts.reduce((s, q) => s + q.n, 0) / k;
  const mx = pts.reduce((s, q) => s + q.x, 0) / k, my = pts.reduce((s, q) => s + q.y, 0) / k;
  let re = 0, im = 0, norm = 0;
  for (const q of pts) {
    const we = q.e - me, wn = q.n - mn, zx = q.x - mx, zy = q.y - my;
    // z · conj(w)
    re += zx * we + zy * wn; im += zy * we - zx * wn; norm += we * we + wn * wn;
  }
  if (norm === 0) return { x: mx, y: my }; // every reference at one GPS point
  const sr = re / norm, si = im / norm;
  const de = p.e - me, dn = p.n - mn;
  return { x: mx + sr * de - si * dn, y: my + si * de + sr * dn };
}

const det3 = (m: number[][]) =>
  m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!)
  - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!)
  + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
