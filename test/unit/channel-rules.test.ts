import { describe, expect, test } from 'vitest';
import { tierProblems, type ChannelsWorking } from '../../domain/channel-coverage.js';
import { missingFields, robotTiers, splitChannelInput } from '../../domain/channel-definitions.js';
import { clip, renderObjectTemplate, renderTemplate, unknownVariables } from '../../domain/message-template.js';
import { fromNationMobile, isAcceptReply, normalizePhone, toE164 } from '../../domain/phone-number.js';

describe('templates', () => {
  test('variables are filled, unknown ones left empty and reported', () => {
    expect(renderTemplate('{kind}：{place}，回复{code}接单 {nope}', { kind: 'SOS', place: '1栋 301', code: '1' })).toBe('SOS：1栋 301，回复1接单 ');
    expect(renderObjectTemplate({ k: '{kind}' }, { kind: '跌倒' })).toEqual({ k: '跌倒' });
    expect(unknownVariables('{kind} {plac}')).toEqual(['plac']);
    expect(clip('一二三四五六', 4)).toBe('一二三…');
  });
});

describe('phone numbers', () => {
  test.each([
    ['13800001111', '13800001111'], ['+86 138-0000-1111', '13800001111'], ['008613800001111', '13800001111'],
    ['8613800001111', '13800001111'], ['+85291234567', '+85291234567'],
  ])('%s → %s', (raw, want) => expect(normalizePhone(raw)).toBe(want));
  test('E.164 and Tencent nationcode/mobile', () => {
    expect(toE164('13800001111')).toBe('+8613800001111');
    expect(fromNationMobile('86', '13800001111')).toBe('13800001111');
    expect(fromNationMobile('852', '91234567')).toBe('+85291234567');
  });
  test.each([['1', true], [' 1 ', true], ['１', true], ['接单', true], ['2', false], ['11', false], ['', false]])('reply %j accepts: %s', (t, yes) => {
    expect(isAcceptReply(t)).toBe(yes);
  });
});

describe('channel definitions', () => {
  test('secrets are split from plain fields; unknown fields are named', () => {
    expect(splitChannelInput('aliyun_sms', { accessKeyId: 'id', accessKeySecret: 's', signName: 'x', bogus: 1 }))
      .toEqual({ config: { accessKeyId: 'id', signName: 'x' }, secrets: { accessKeySecret: 's' }, unknown: ['bogus'] });
    expect(missingFields('aliyun_sms', { accessKeyId: 'id', secrets: {} })).toEqual(['accessKeySecret', 'signName', 'templateCode']);
    expect(robotTiers({ tiers: [1, 3, 7] })).toEqual([0, 2]);
    expect(robotTiers({})).toEqual([0, 1, 2]);
  });
});

describe('tier coverage', () => {
  const none: ChannelsWorking = { webPush: false, sms: false, voice: false, webhook: false, robotTiers: [] };
  const app = { hasAccount: true, hasPush: false, hasPhone: true };
  const phoneOnly = { hasAccount: false, hasPush: false, hasPhone: true };
  const tiers = (t0: typeof app[], t1: typeof app[], t2: typeof app[]) => ({
    communityId: 'c1', tiers: [{ level: 0 as const, members: t0 }, { level: 1 as const, members: t1 }, { level: 2 as const, members: t2 }],
  });
  test.each<[string, ReturnType<typeof tiers>, ChannelsWorking, string[]]>([
    ['family with only phones and no phone channel', tiers([app], [app], [phoneOnly]), none, ['2/no_working_channel']],
    ['an SMS provider covers the family tier', tiers([app], [app], [phoneOnly]), { ...none, sms: true }, []],
    ['a robot for tier 3 covers it', tiers([app], [app], [phoneOnly]), { ...none, robotTiers: [2] }, []],
    ['nobody on duty in tier 2', tiers([app], [], [phoneOnly]), { ...none, webhook: true }, ['1/nobody']],
    ['tier 1 without accounts or phone channels', tiers([phoneOnly], [app], [phoneOnly]), { ...none, voice: false }, ['0/no_working_channel', '2/no_working_channel']],
  ])('%s', (_n, c, ch, want) => {
    expect(tierProblems(c, ch).map((p) => `${p.level}/${p.reason}`)).toEqual(want);
  });
});
