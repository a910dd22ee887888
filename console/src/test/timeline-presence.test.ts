import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Timeline from '../components/Timeline.svelte';
import { i18n } from '../lib/i18n/index.svelte';
import type { TimelineEntry } from '../lib/types';

const entry = (id: number, data: Record<string, unknown>): TimelineEntry => ({
  id, at: '2026-12-06T12:00:00Z', actor: 'user:wang', type: 'presence', fromState: null, toState: null, data,
});

describe('presence rows on the timeline (issue 15 item 5)', () => {
  it('says which device confirmed someone and when, or that none did, in both languages', () => {
    const entries = [
      entry(1, { confirmed: true, deviceKind: 'door_contact', signalType: 'door', offsetS: -40, windowS: 180 }),
      entry(2, { confirmed: false, windowS: 180 }),
      entry(3, { confirmed: true, deviceKind: 'fall_radar', signalType: 'presence', offsetS: 150, windowS: 180 }),
    ];
    i18n.set('zh');
    const zh = render(Timeline, { props: { entries } });
    const zhText = [...zh.container.querySelectorAll('li')].map((li) => li.textContent ?? '');
    expect(zhText[0]).toContain('到场确认');
    expect(zhText[0]).toContain('门磁 在按到达前 40 秒确认有人');
    expect(zhText[1]).toContain('3 分钟内');
    expect(zhText[2]).toContain('跌倒雷达 在按到达后 150 秒确认有人');
    zh.unmount();
    i18n.set('en');
    const en = render(Timeline, { props: { entries } });
    expect(en.container.textContent).toContain('Door contact confirmed someone 40 s before the arrive press');
    expect(en.container.textContent).toContain('No device of the home');
    i18n.set('zh');
  });
});

describe('the check-in stages on an inactivity alert (issue 19 item 4)', () => {
  it("lists each stage with its time, in the user's language", () => {
    const created: TimelineEntry = {
      id: 9, at: '2026-12-06T02:10:00Z', actor: 'system', type: 'created', fromState: null, toState: 'open',
      data: { checkInTimeline: [
        { at: '2026-12-06T02:00:00Z', note: 'automatic check-in sent (自动问候已发送)' },
        { at: '2026-12-06T02:05:00Z', note: 'no answer to the chime: spoken check-in sent (未回应提示音，已发送语音问候)' },
        { at: '2026-12-06T02:08:00Z', note: 'check-in sent (test)' },
      ] },
    };
    i18n.set('zh');
    const zh = render(Timeline, { props: { entries: [created] } });
    expect(zh.container.textContent).toContain('自动问候: 10:00 自动问候已发送；10:05 未回应提示音，已发送语音问候；10:08 check-in sent (test)');
    zh.unmount();
    i18n.set('en');
    const en = render(Timeline, { props: { entries: [created] } });
    expect(en.container.textContent).toContain('Check-in: 10:00 automatic check-in sent; 10:05 no answer to the chime: spoken check-in sent');
    i18n.set('zh');
  });
});
