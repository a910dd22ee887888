import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SlaCountdown from '../components/SlaCountdown.svelte';
import { formatCountdown, slaView } from '../lib/sla';
import { alert, T0 } from './fixtures';

const cfg = { slaWarnS: 600, slaOnsiteS: 900 };
const at = (s: number) => T0 + s * 1000;

describe('SLA countdown (DESIGN §4: amber at SLA_WARN_S, red at SLA_ONSITE_S, from the first signal)', () => {
  it('is green until the warn instant, amber from it, red from the breach instant', () => {
    const a = alert({ id: 'a' });
    expect(slaView(a, at(0), cfg).tone).toBe('ok');
    expect(slaView(a, at(599.999), cfg).tone).toBe('ok');
    expect(slaView(a, at(600), cfg).tone).toBe('warn');
    expect(slaView(a, at(899.999), cfg).tone).toBe('warn');
    expect(slaView(a, at(900), cfg).tone).toBe('breach');
    expect(slaView(a, at(3600), cfg)).toMatchObject({ tone: 'breach', remainingMs: -2_700_000, running: true });
  });

  it('stops at arrival: met when on site in time, red when late; accepted alone does not stop it', () => {
    expect(slaView(alert({ id: 'a', state: 'accepted', acceptedAt: new Date(at(60)).toISOString() }), at(700), cfg).tone).toBe('warn');
    expect(slaView(alert({ id: 'a', state: 'on_site', onSiteAt: new Date(at(840)).toISOString() }), at(5000), cfg))
      .toMatchObject({ tone: 'met', remainingMs: 60_000, running: false });
    expect(slaView(alert({ id: 'a', state: 'on_site', onSiteAt: new Date(at(901)).toISOString() }), at(5000), cfg).tone).toBe('breach');
  });

  it('has no SLA for maintenance alerts', () => {
    expect(slaView(alert({ id: 'a', kind: 'battery_low', severity: 'maintenance' }), at(99999), cfg).tone).toBe('none');
  });

  it('formats the countdown towards the deadline and signs overdue time', () => {
    expect(formatCountdown(900_000)).toBe('15:00');
    expect(formatCountdown(0.4)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-125_000)).toBe('-2:05');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });

  it('renders the colour of the instant it is given', async () => {
    const a = alert({ id: 'a' });
    const { container, rerender } = render(SlaCountdown, { alert: a, now: at(599), config: cfg });
    const el = () => container.querySelector('[data-tone]')!;
    expect(el().getAttribute('data-tone')).toBe('ok');
    expect(el().textContent).toContain('5:01');
    await rerender({ alert: a, now: at(600), config: cfg });
    expect(el().getAttribute('data-tone')).toBe('warn');
    expect(el().classList.contains('tone-warn')).toBe(true);
    await rerender({ alert: a, now: at(900), config: cfg });
    expect(el().getAttribute('data-tone')).toBe('breach');
    expect(el().textContent).toContain('0:00');
    await rerender({ alert: a, now: at(961), config: cfg });
    expect(el().textContent).toContain('-1:01');
  });
});
