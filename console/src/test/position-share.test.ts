import { fireEvent, render, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api';

const posts: Array<{ path: string; body: unknown }> = [];
let refuse: ApiError | null = null;
vi.mock('../lib/api', async (orig) => {
  const real = await orig<typeof import('../lib/api')>();
  return { ...real, post: vi.fn(async (path: string, body: unknown) => { posts.push({ path, body }); if (refuse && body && (body as { position: unknown }).position) throw refuse; return { sharing: true }; }) };
});

let onFix: ((p: GeolocationPosition) => void) | null = null;
const clearWatch = vi.fn();
beforeEach(() => {
  posts.length = 0; refuse = null; onFix = null; clearWatch.mockClear();
  Object.defineProperty(navigator, 'geolocation', {
    configurable: true,
    value: { watchPosition: (ok: (p: GeolocationPosition) => void) => { onFix = ok; return 7; }, clearWatch },
  });
});
afterEach(() => { vi.restoreAllMocks(); });

const fix = { coords: { latitude: 32.0001, longitude: 118.7002 } } as GeolocationPosition;

describe('share my position (issue 15 item 1)', () => {
  it('on duty: switching on posts the GPS fix; switching off stops the watch and forgets the position', async () => {
    const { default: PositionShare } = await import('../components/PositionShare.svelte');
    const view = render(PositionShare, { props: { responderId: 'r1', onDuty: true } });
    const box = view.getByTestId('share-position') as HTMLInputElement;
    await fireEvent.click(box);
    onFix!(fix);
    await waitFor(() => expect(posts).toEqual([{ path: '/responders/r1/position', body: { position: { lat: 32.0001, lng: 118.7002 } } }]));
    onFix!(fix); // within 30 s: not sent again
    await fireEvent.click(box);
    await waitFor(() => expect(posts.at(-1)).toEqual({ path: '/responders/r1/position', body: { position: null } }));
    expect(posts).toHaveLength(2);
    expect(clearWatch).toHaveBeenCalledWith(7);
  });

  it('off duty: stays off and says why', async () => {
    const { default: PositionShare } = await import('../components/PositionShare.svelte');
    const view = render(PositionShare, { props: { responderId: 'r1', onDuty: false } });
    await fireEvent.click(view.getByTestId('share-position'));
    expect((view.getByTestId('share-position') as HTMLInputElement).checked).toBe(false);
    expect(view.getByTestId('share-message').textContent).toBeTruthy();
    expect(onFix).toBeNull();
  });

  it('no reference buildings: the switch goes back off with the register hint', async () => {
    refuse = new ApiError(409, 'no_plan_reference', 'no reference');
    const { default: PositionShare } = await import('../components/PositionShare.svelte');
    const view = render(PositionShare, { props: { responderId: 'r1', onDuty: true } });
    await fireEvent.click(view.getByTestId('share-position'));
    onFix!(fix);
    await waitFor(() => expect((view.getByTestId('share-position') as HTMLInputElement).checked).toBe(false));
    expect(view.getByTestId('share-message').textContent).toMatch(/平面|site-plan/);
    expect(clearWatch).toHaveBeenCalledWith(7);
  });
});
