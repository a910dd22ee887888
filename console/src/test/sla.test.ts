import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SlaCountdown from '../components/SlaCountdown.svelte';
import { slaView, spanWords } from '../lib/sla';
import { alert, T0 } from './fixtures';

const cfg = { slaWarnS: 600, slaOnsiteS: 900 };
const at = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString();

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
    expect(slaView(alert({ id: 'a', state: 'accepted', acceptedAt: iso(60) }), at(700), cfg).tone).toBe('warn');
    expect(slaView(alert({ id: 'a', state: 'on_site', onSiteAt: iso(840) }), at(5000), cfg))
      .toMatchObject({ tone: 'met', remainingMs: 60_000, running: false });
    expect(slaView(alert({ id: 'a', state: 'on_site', onSiteAt: iso(901) }), at(5000), cfg).tone).toBe('breach');
  });

  it('has no SLA for maintenance alerts', () => {
    expect(slaView(alert({ id: 'a', kind: 'battery_low', severity: 'maintenance' }), at(99999), cfg).tone).toBe('none');
  });

  it('says spans in words, never like a clock time (issue 20 item 1)', () => {
    expect(spanWords(859_000, 'zh', 'up')).toBe('14 分 19 秒');
    expect(spanWords(400, 'zh', 'up')).toBe('1 秒');
    expect(spanWords(125_000, 'zh')).toBe('2 分 5 秒');
    expect(spanWords(3_723_000, 'zh')).toBe('1 小时 2 分');
    expect(spanWords(859_000, 'en', 'up')).toBe('14 min 19 s');
  });
});

describe('SlaCountdown counts with the server\'s settings (issue 20 item 1)', () => {
  it('reads "剩 14 分 19 秒", then "超时 …", and "已到场 · 用时 6 分" once someone is there', async () => {
    const a = alert({ id: 'a' });
    const { container, rerender } = render(SlaCountdown, { alert: a, now: at(41), config: cfg });
    const el = () => container.querySelector('[data-tone]')!;
    expect(el().getAttribute('data-tone')).toBe('ok');
    expect(el().textContent).toContain('剩 14 分 19 秒');
    expect(el().textContent).not.toMatch(/\d+:\d{2}/);
    await rerender({ alert: a, now: at(600), config: cfg });
    expect(el().getAttribute('data-tone')).toBe('warn');
    await rerender({ alert: a, now: at(961), config: cfg });
    expect(el().getAttribute('data-tone')).toBe('breach');
    expect(el().textContent).toContain('超时 1 分 1 秒');
    const there = alert({ id: 'a', state: 'on_site', onSiteAt: iso(360) });
    await rerender({ alert: there, now: at(2000), config: cfg });
    expect(el().getAttribute('data-tone')).toBe('met');
    expect(el().textContent).toContain('已到场 · 用时 6 分');
  });

  it('turns red at the server\'s SLA_ONSITE_S (240 s), not at a 15-minute constant', () => {
    const { container } = render(SlaCountdown, { alert: alert({ id: 'a' }), now: at(250), config: { slaWarnS: 120, slaOnsiteS: 240 } });
    expect(container.querySelector('[data-tone]')!.getAttribute('data-tone')).toBe('breach');
    expect(container.textContent).toContain('超时 10 秒');
  });

  it('shows no guess before the server has said its settings', () => {
    const { container } = render(SlaCountdown, { alert: alert({ id: 'a' }), now: at(250), config: null });
    expect(container.textContent?.trim()).toBe('—');
    expect(container.querySelector('[data-tone]')!.getAttribute('aria-label')).toBe('等待服务器的时限设置');
  });
});
