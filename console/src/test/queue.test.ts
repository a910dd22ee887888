import { fireEvent, render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import AlertQueue from '../components/AlertQueue.svelte';
import { filterQueue, queueCounts, sortQueue } from '../lib/queue';
import { alert, T0 } from './fixtures';

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const cfg = { slaWarnS: 600, slaOnsiteS: 900, ackTimeoutS: 180, dayShift: '08:00-20:00', tz: 'Asia/Shanghai' };

const alerts = [
  alert({ id: 'battery-old', kind: 'battery_low', severity: 'maintenance', firstSignalAt: iso(-9000) }),
  alert({ id: 'inactive-old', kind: 'inactivity', severity: 'high', firstSignalAt: iso(-5000) }),
  alert({ id: 'sos-new', kind: 'sos', firstSignalAt: iso(-10) }),
  alert({ id: 'fall-older', kind: 'fall', state: 'accepted', firstSignalAt: iso(-300) }),
  alert({ id: 'fall-oldest', kind: 'fall', state: 'accepted', firstSignalAt: iso(-600) }),
  alert({ id: 'gas-there', kind: 'gas', state: 'on_site', firstSignalAt: iso(-900), onSiteAt: iso(-100) }),
  alert({ id: 'leak-new', kind: 'water_leak', severity: 'high', firstSignalAt: iso(-20) }),
  alert({ id: 'sos-closed', kind: 'sos', state: 'resolved', firstSignalAt: iso(-9999) }),
];

describe('alert queue order (issue 20 item 2)', () => {
  it('puts waiting critical first always, then waiting high, then en route by time left, then on site, maintenance last', () => {
    expect(sortQueue(alerts, cfg).map((a) => a.id))
      .toEqual(['sos-new', 'inactive-old', 'leak-new', 'fall-oldest', 'fall-older', 'gas-there', 'battery-old']);
  });

  it('breaks ties by id so rows do not jump between renders', () => {
    const twins = [alert({ id: 'b' }), alert({ id: 'a' })];
    expect(sortQueue(twins).map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('filters waiting / en route / all, and keeps maintenance in its own tab', () => {
    const sorted = sortQueue(alerts, cfg);
    expect(filterQueue(sorted, 'waiting').map((a) => a.id)).toEqual(['sos-new', 'inactive-old', 'leak-new']);
    expect(filterQueue(sorted, 'enroute').map((a) => a.id)).toEqual(['fall-oldest', 'fall-older']);
    expect(filterQueue(sorted, 'all').map((a) => a.id)).not.toContain('battery-old');
    expect(filterQueue(sorted, 'maintenance').map((a) => a.id)).toEqual(['battery-old']);
    expect(queueCounts(sorted)).toEqual({ waiting: 3, enroute: 2, all: 6, maintenance: 1 });
  });

  it('renders the emergency rows in that order, and maintenance only in its tab', async () => {
    const { getAllByTestId, getByRole } = render(AlertQueue, { alerts: sortQueue(alerts, cfg), now: T0, config: cfg });
    const ids = () => getAllByTestId('queue-row').map((r) => r.getAttribute('data-alert-id'));
    expect(ids()).toEqual(['sos-new', 'inactive-old', 'leak-new', 'fall-oldest', 'fall-older', 'gas-there']);
    expect(getAllByTestId('queue-row')[0]!.getAttribute('href')).toBe('/alerts/sos-new');
    expect(getAllByTestId('queue-row')[0]!.textContent).toContain('鹿山新村1栋 1单元101室');
    await fireEvent.click(getByRole('tab', { name: /设备维护/ }));
    expect(ids()).toEqual(['battery-old']);
    await fireEvent.click(getByRole('tab', { name: /待接单/ }));
    expect(ids()).toEqual(['sos-new', 'inactive-old', 'leak-new']);
  });

  it('says so when the queue is empty', () => {
    const { getByText } = render(AlertQueue, { alerts: [], now: T0, config: cfg });
    expect(getByText('当前没有未结警情')).toBeTruthy();
  });
});
