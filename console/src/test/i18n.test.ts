import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import KpiStrip from '../components/KpiStrip.svelte';
import TopBar from '../components/TopBar.svelte';
import { en } from '../lib/i18n/en';
import { i18n, t } from '../lib/i18n/index.svelte';
import { zh } from '../lib/i18n/zh';

afterEach(() => { i18n.set('zh'); localStorage.clear(); });

describe('zh-CN by default, English switch', () => {
  it('both dictionaries have the same keys and no empty string', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toBe('');
  });

  it('defaults to Chinese and substitutes variables', () => {
    expect(i18n.lang).toBe('zh');
    expect(t('sla.over', { t: '2 分 5 秒' })).toBe('超时 2 分 5 秒');
  });

  it('switches every rendered string from the top bar button and remembers the choice', async () => {
    render(TopBar);
    render(KpiStrip, { kpis: { open: 3, medianAcceptS: 95, onSiteWithinSlaRate: 0.9 }, devicesOffline: 2, slaOnsiteS: 240 });
    expect(screen.getByText('未结警情')).toBeTruthy();
    expect(screen.getByText('1分35秒')).toBeTruthy();
    // The SLA in the label is the server's (SLA_ONSITE_S=240), not a printed 15.
    expect(screen.getByText('今日4分钟内到场率')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: '切换语言' }));
    expect(screen.getByText('Open alerts')).toBeTruthy();
    expect(screen.getByText('1m 35s')).toBeTruthy();
    expect(screen.queryByText('未结警情')).toBeNull();
    expect(localStorage.getItem('guardian.lang')).toBe('en');
    expect(document.documentElement.lang).toBe('en-GB');
    await fireEvent.click(screen.getByRole('button', { name: 'Switch language' }));
    expect(screen.getByText('未结警情')).toBeTruthy();
  });
});
