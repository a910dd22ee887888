/** CHAOS_SCALE=0.1 runs every scenario with a tenth of the counts (a quick look); default 1. */
export function scaled(n: number, min = 1): number {
  const scale = Number(process.env.CHAOS_SCALE ?? 1);
  return Math.max(min, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
