import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import AlertQueue from '../components/AlertQueue.svelte';
import { sortQueue } from '../lib/queue';
import { DEFAULT_CONFIG } from '../lib/types';
import { alert, T0 } from './fixtures';

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const alerts = [
  alert({ id: 'battery-old', kind: 'battery_low', severity: 'maintenance', firstSignalAt: iso(-9000) }),
  alert({ id: 'inactive-old', kind: 'inactivity', severity: 'high', firstSignalAt: iso(-5000) }),
  alert({ id: 'sos-new', kind: 'sos', firstSignalAt: iso(-10) }),
  alert({ id: 'fall-older', kind: 'fall', state: 'accepted', firstSignalAt: iso(-300) }),
  alert({ id: 'leak-new', kind: 'water_leak', severity: 'high', firstSignalAt: iso(-20) }),
  alert({ id: 'sos-closed', kind: 'sos', state: 'resolved', firstSignalAt: iso(-9999) }),
];

describe('alert queue order: severity, then age (longest waiting first)', () => {
  it('sorts critical before high before maintenance, older first within a severity, and leaves closed alerts out', () => {
    expect(sortQueue(alerts).map((a) => a.id)).toEqual(['fall-older', 'sos-new', 'inactive-old', 'leak-new', 'battery-old']);
  });

  it('breaks ties by id so rows do not jump between renders', () => {
    const twins = [alert({ id: 'b' }), alert({ id: 'a' })];
    expect(sortQueue(twins).map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('renders rows in that order with kind, place and who accepted', () => {
    const { getAllByTestId } = render(AlertQueue, { alerts: sortQueue(alerts), now: T0, config: DEFAULT_CONFIG });
    const rows = getAllByTestId('queue-row');
    expect(rows.map((r) => r.getAttribute('data-alert-id'))).toEqual(['fall-older', 'sos-new', 'inactive-old', 'leak-new', 'battery-old']);
    expect(rows[1]!.getAttribute('href')).toBe('/alerts/sos-new');
    expect(rows[1]!.textContent).toContain('鹿山新村1栋 1单元101室');
  });

  it('says so when the queue is empty', () => {
    const { getByText } = render(AlertQueue, { alerts: [], now: T0, config: DEFAULT_CONFIG });
    expect(getByText('当前没有未结警情')).toBeTruthy();
  });
});
