import type { DispatchCandidate } from './types';

/**
 * The dispatch room's filters over the ranked candidate list (issue 15 item 7): one grid, on
 * duty only, and a longest acceptable estimated arrival. The order (the dispatcher's ranking)
 * is kept. Off duty but already involved (paged, en route, on site, declined) stays visible
 * under "on duty only": the operator must see who is on the alert.
 */
export interface CandidateFilter {
  /** '' = every grid. */
  gridId: string;
  onDutyOnly: boolean;
  /** Minutes; null = no limit. A person with no estimate (position unknown) is hidden by a limit. */
  maxEtaMin: number | null;
}

export const NO_FILTER: CandidateFilter = { gridId: '', onDutyOnly: true, maxEtaMin: null };

export function filterCandidates(list: readonly DispatchCandidate[], f: CandidateFilter): DispatchCandidate[] {
  return list.filter((c) =>
    (!f.gridId || c.gridIds.includes(f.gridId))
    && (!f.onDutyOnly || c.onDuty || c.state !== 'free')
    && (f.maxEtaMin === null || (c.etaS !== null && c.etaS <= f.maxEtaMin * 60)));
}

/** The grids the candidates serve, for the grid menu, sorted. */
export const candidateGrids = (list: readonly DispatchCandidate[]): string[] =>
  [...new Set(list.flatMap((c) => c.gridIds))].sort();
