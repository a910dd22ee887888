import { fireEvent, render, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { candidateGrids, filterCandidates, NO_FILTER } from '../lib/candidate-filter';
import type { AlertDetail, DispatchCandidate } from '../lib/types';
import { alert } from './fixtures';

const c = (responderId: string, over: Partial<DispatchCandidate>): DispatchCandidate => ({
  responderId, name: responderId, role: 'grid_worker', gridIds: ['g1'], etaS: 300, state: 'free', onDuty: true, eligible: true, ...over,
});

// Ranked as the API ranks them; the filters must keep that order.
const ranked = [
  c('near', { etaS: 120 }),
  c('other-grid', { gridIds: ['g2'], etaS: 240 }),
  c('off-duty', { onDuty: false, etaS: 200 }),
  c('off-but-paged', { onDuty: false, state: 'paged', etaS: 900 }),
  c('far', { gridIds: ['g1', 'g2'], etaS: 1500 }),
  c('unknown', { etaS: null }),
];

vi.mock('../lib/api', () => ({
  get: vi.fn(async () => ({ candidates: ranked })),
  post: vi.fn(async () => ({})),
}));

describe('the picker filters (issue 15 item 7)', () => {
  it('on duty only is the default: off-duty people not on the alert are hidden, order kept', () => {
    expect(filterCandidates(ranked, NO_FILTER).map((x) => x.responderId)).toEqual(['near', 'other-grid', 'off-but-paged', 'far', 'unknown']);
    expect(filterCandidates(ranked, { ...NO_FILTER, onDutyOnly: false })).toHaveLength(6);
  });

  it('by grid and by longest arrival; no estimate is hidden by a limit', () => {
    expect(filterCandidates(ranked, { ...NO_FILTER, gridId: 'g2' }).map((x) => x.responderId)).toEqual(['other-grid', 'far']);
    expect(filterCandidates(ranked, { ...NO_FILTER, maxEtaMin: 5 }).map((x) => x.responderId)).toEqual(['near', 'other-grid']);
    expect(filterCandidates(ranked, { gridId: 'g1', onDutyOnly: false, maxEtaMin: 4 }).map((x) => x.responderId)).toEqual(['near', 'off-duty']);
    expect(candidateGrids(ranked)).toEqual(['g1', 'g2']);
  });

  it('the panel applies the controls to the list it fetched', async () => {
    const { default: DispatchPanel } = await import('../components/DispatchPanel.svelte');
    const detail = { ...alert({ id: 'a1' }), timeline: [], signals: [], notifications: [], deviceId: null, updatedAt: '', routedAt: null, notifiedAt: null, resolutionNote: null, cancelReason: null } as AlertDetail;
    const view = render(DispatchPanel, { props: { alert: detail, onchange: () => {} } });
    const names = () => [...view.getByTestId('candidates').querySelectorAll('.name')].map((n) => n.textContent);
    await waitFor(() => expect(names()).toEqual(['near', 'other-grid', 'off-but-paged', 'far', 'unknown']));
    await fireEvent.change(view.getByTestId('filter-grid'), { target: { value: 'g2' } });
    await waitFor(() => expect(names()).toEqual(['other-grid', 'far']));
    await fireEvent.input(view.getByTestId('filter-max-eta'), { target: { value: '10' } });
    await waitFor(() => expect(names()).toEqual(['other-grid']));
    await fireEvent.click(view.getByTestId('filter-on-duty'));
    await fireEvent.change(view.getByTestId('filter-grid'), { target: { value: '' } });
    await waitFor(() => expect(names()).toEqual(['near', 'other-grid', 'off-duty']));
  });
});
