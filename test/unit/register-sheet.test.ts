import { describe, expect, test } from 'vitest';
import { resolveCommunitySettings, settingsProblem } from '../../domain/community-settings.js';
import { issueText } from '../../domain/register-messages.js';
import { planRegisterChanges, isNoChange, type RegisterSnapshot } from '../../domain/register-plan.js';
import { householdRows, parseSheet, SHEET_COLUMNS } from '../../domain/register-sheet.js';
import { checkPhone, parseGender, parseLivingSituation, parseYesNo, splitList } from '../../domain/register-values.js';

const H = ['社区', '网格', '楼栋', '户号', '地址', '老人姓名', '性别', '出生年份', '独居', '联系人', '关系', '电话'];
const sheet = (...rows: string[][]) => parseSheet({ headers: H, rows: rows.map((cells, i) => ({ rowNumber: i + 2, cells })) }, 2026);

describe('register values', () => {
  test.each([
    ['13812345678', '13812345678'], ['138 1234 5678', '13812345678'], ['+8613812345678', '+8613812345678'], ['025-84561234', '025-84561234'],
    ['0258456123', '0258456123'], ['+44 20 7946 0958', '+44 20 7946 0958'], ['1381234567', null], ['12812345678', null], ['abc', null], ['84561234', null],
  ])('phone %s → %s', (raw, out) => expect(checkPhone(raw)).toBe(out));
  test('gender, yes/no, living situation and lists as communities write them', () => {
    expect([parseGender('女'), parseGender('M'), parseGender('未知')]).toEqual(['female', 'male', null]);
    expect([parseYesNo('是'), parseYesNo('否'), parseYesNo('√'), parseYesNo('也许')]).toEqual([true, false, true, null]);
    expect([parseLivingSituation('独居'), parseLivingSituation('夫妻同住'), parseLivingSituation('与子女同住'), parseLivingSituation('其他')]).toEqual(['alone', 'couple', 'with_family', null]);
    expect(splitList('高血压、糖尿病；行动不便,')).toEqual(['高血压', '糖尿病', '行动不便']);
  });
});

describe('parseSheet', () => {
  test('a household over several rows: the first names it, the next add residents and contacts', () => {
    const r = sheet(
      ['鹿山社区', '第1网格', '1栋', '1-101', '鹿山路88号', '王秀英', '女', '1941', '否', '李明', '儿子', '13987654321'],
      ['', '', '', '', '', '李国华', '男', '1938', '', '李芳', '女儿', '13700001234'],
      ['鹿山社区', '第1网格', '1栋', '1-102', '鹿山路88号', '赵奶奶', '女', '1945', '是', '', '', ''],
    );
    expect(r.issues).toEqual([]);
    expect(r.households).toHaveLength(2);
    expect(r.households[0]).toMatchObject({ code: '1-101', livingSituation: 'couple', rows: [2, 3], unit: '1-101' });
    expect(r.households[0]!.residents.map((x) => x.name)).toEqual(['王秀英', '李国华']);
    expect(r.households[0]!.contacts.map((x) => [x.name, x.priority])).toEqual([['李明', 1], ['李芳', 2]]);
  });

  test('every mistake is an issue with its row and column; a household with one is left out', () => {
    const r = sheet(
      ['鹿山社区', '第1网格', '1栋', '1-101', '', '王秀英', '女', '1841', '', '李明', '', '1398765'],
      ['鹿山社区', '第1网格', '1栋', '1-102', '某路', '', '', '', '', '', '', ''],
      ['鹿山社区', '第1网格', '1栋', '1-101', '某路', '赵奶奶', '女', '', '', '', '', ''],
      ['鹿山社区', '', '1栋', '1-103', '某路', '钱奶奶', 'x', '', '', '', '', ''],
    );
    expect(r.issues.map((i) => [i.row, i.column, i.code])).toEqual([
      [2, '地址', 'required'], [2, '出生年份', 'birth_year_invalid'], [2, '电话', 'phone_invalid'],
      [3, '老人姓名', 'no_resident'],
      [4, '户号', 'duplicate_household'],
      [5, '网格', 'required'], [5, '性别', 'gender_invalid'],
    ]);
    expect(r.households.map((h) => h.code)).toEqual(['1-101']); // the repeat of 1-101 (row 4) parses, its duplicate is the issue
  });

  test('missing columns are named once, before any row is read; aliases and full-width brackets are the same column', () => {
    expect(parseSheet({ headers: ['社区', '网格'], rows: [] }, 2026).issues.map((i) => i.column)).toEqual(['楼栋', '户号', '地址', '老人姓名']);
    const r = parseSheet({ headers: ['所属社区', '网格', '楼号', '户号/门牌', '住址', '姓名', '楼栋X（米）'], rows: [{ rowNumber: 2, cells: ['A', 'G', 'B', '1', 'addr', '王', '12.5'] }] }, 2026);
    expect(r.issues).toEqual([]);
    expect(r.households[0]!.buildingDetails.x).toBe(12.5);
  });

  test('householdRows writes what parseSheet reads back the same', () => {
    const r = sheet(['鹿山社区', '第1网格', '1栋', '1-101', '鹿山路88号', '王秀英', '女', '1941', '否', '李明', '儿子', '13987654321'],
      ['', '', '', '', '', '李国华', '男', '1938', '', '', '', '']);
    const h = r.households[0]!;
    const rows = householdRows(h);
    const headers = SHEET_COLUMNS.map((c) => c.header);
    const back = parseSheet({ headers, rows: rows.map((row, i) => ({ rowNumber: i + 2, cells: SHEET_COLUMNS.map((c) => String(row[c.key] ?? '')) })) }, 2026);
    expect(back.issues).toEqual([]);
    const { rows: _a, ...was } = h;
    const { rows: _b, ...now } = back.households[0]!;
    expect({ ...now, residents: now.residents.map(({ row: _r, ...x }) => x), contacts: now.contacts.map(({ row: _r, ...x }) => x) })
      .toEqual({ ...was, residents: was.residents.map(({ row: _r, ...x }) => x), contacts: was.contacts.map(({ row: _r, ...x }) => x) });
  });

  test('issues read as people write them', () => {
    expect(issueText({ row: 12, column: '电话', code: 'phone_invalid', value: '1390' }, 'zh')).toBe('第 12 行：电话号码格式不对（1390）：手机 11 位，座机带区号');
    expect(issueText({ row: 12, column: '电话', code: 'phone_invalid', value: '1390' }, 'en')).toMatch(/^row 12: 电话: not a phone number/);
  });
});

describe('planRegisterChanges', () => {
  const empty: RegisterSnapshot = { streets: [], communities: [], grids: [], buildings: [], households: [], residents: [], contacts: [] };
  let n = 0;
  const newId = (p: string) => `${p}-${++n}`;
  const one = sheet(['鹿山社区', '第1网格', '1栋', '1-101', '鹿山路88号', '王秀英', '女', '1941', '是', '李明', '儿子', '13987654321']).households;

  test('an admin creates the places; an operator may only use communities of theirs', () => {
    const c = planRegisterChanges(one, empty, { mayCreateCommunities: true, communityIds: null, newId });
    expect([c.communities.length, c.grids.length, c.buildings.length, c.households.length, c.residents.length, c.contacts.length]).toEqual([1, 1, 1, 1, 1, 1]);
    const op = planRegisterChanges(one, empty, { mayCreateCommunities: false, communityIds: ['c-x'], newId });
    expect(op.issues).toEqual([{ row: 2, column: '社区', code: 'unknown_community', value: '鹿山社区' }]);
  });

  test('the same data again is no change; an edit is exactly that edit; a resident no longer listed is retired', () => {
    const snap: RegisterSnapshot = {
      ...empty,
      communities: [{ id: 'c1', name: '鹿山社区', streetId: null, retired: false }],
      grids: [{ id: 'g1', communityId: 'c1', name: '第1网格', retired: false }],
      buildings: [{ id: 'b1', gridId: 'g1', name: '1栋', address: null, x: null, y: null, lat: null, lng: null, retired: false }],
      households: [{ id: 'h1', communityId: 'c1', code: '1-101', buildingId: 'b1', unit: '1-101', address: '鹿山路88号', phone: null, livingSituation: 'alone', accessNotes: null, notes: null, retired: false }],
      residents: [{ id: 1, householdId: 'h1', name: '王秀英', gender: 'female', birthYear: 1941, phone: null, conditions: [], notes: null },
        { id: 2, householdId: 'h1', name: '已迁出', gender: null, birthYear: null, phone: null, conditions: [], notes: null }],
      contacts: [{ id: 1, householdId: 'h1', name: '李明', relation: '儿子', phone: '13987654321', priority: 1 }],
    };
    const opts = { mayCreateCommunities: false, communityIds: ['c1'], newId };
    const c = planRegisterChanges(one, snap, opts);
    expect(c.residentRetires).toEqual([{ id: 2, householdId: 'h1', name: '已迁出' }]);
    const same = planRegisterChanges(one, { ...snap, residents: snap.residents.slice(0, 1) }, opts);
    expect(isNoChange(same)).toBe(true);
    expect(same.unchangedHouseholds).toBe(1);
  });
});

describe('community settings', () => {
  const global = { DAY_SHIFT: '08:00-20:00', SLA_WARN_S: 600, SLA_ONSITE_S: 900, ACK_TIMEOUT_S: 180 };
  test('the community\'s own value, else the global default, and where each came from', () => {
    expect(resolveCommunitySettings(null, global)).toMatchObject({ dayShift: '08:00-20:00', slaOnsiteS: 900, emergencyPhone: null, source: { dayShift: 'global' } });
    const own = resolveCommunitySettings({ dayShift: '07:00-19:00', slaOnsiteS: null, emergencyPhone: '025-1' }, global);
    expect(own).toMatchObject({ dayShift: '07:00-19:00', slaOnsiteS: 900, emergencyPhone: '025-1', source: { dayShift: 'community', slaOnsiteS: 'global' } });
  });
  test('a warning after the on-site deadline is a problem, whichever side is the community\'s', () => {
    expect(settingsProblem(resolveCommunitySettings({ slaWarnS: 900 }, global))).toMatch(/slaWarnS \(900\) must be below slaOnsiteS \(900\)/);
    expect(settingsProblem(resolveCommunitySettings({ slaOnsiteS: 1800, slaWarnS: 1200 }, global))).toBeNull();
  });
});
