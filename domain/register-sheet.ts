import {
  checkPhone, parseBirthYear, parseGender, parseLivingSituation, parseNumber, parseYesNo, splitList,
  type Gender, type LivingSituation,
} from './register-values.js';

/**
 * The register as a spreadsheet (issue 17 item 2): one sheet, a row per person, the columns
 * community registers (一户一档 台账) already have. A household's rows follow each other: the
 * first names the place and the household code (户号); rows below with the code left blank (or
 * merged cells) add its other residents and contacts. Row k of a household carries its k-th
 * resident and/or its k-th contact. Pure: takes cell text, returns households and issues with
 * the sheet's row numbers and the column's header, which the API sends as codes and the console
 * and the CLI turn into "第 12 行：电话号码格式不对".
 */

export type ColumnKey =
  | 'street' | 'community' | 'grid' | 'building' | 'code' | 'unit' | 'address' | 'householdPhone'
  | 'livingAlone' | 'livingSituation' | 'accessNotes' | 'householdNotes'
  | 'residentName' | 'gender' | 'birthYear' | 'residentPhone' | 'conditions' | 'careNotes'
  | 'contactName' | 'relation' | 'contactPhone' | 'contactOrder'
  | 'buildingAddress' | 'buildingX' | 'buildingY' | 'lat' | 'lng';

export interface SheetColumn { key: ColumnKey; header: string; aliases?: readonly string[]; width?: number }

/** In the order the template and the export write them. */
export const SHEET_COLUMNS: readonly SheetColumn[] = [
  { key: 'street', header: '街道', aliases: ['所属街道', 'street'] },
  { key: 'community', header: '社区', aliases: ['所属社区', 'community'] },
  { key: 'grid', header: '网格', aliases: ['所属网格', 'grid'] },
  { key: 'building', header: '楼栋', aliases: ['楼号', 'building'] },
  { key: 'code', header: '户号', aliases: ['户号/门牌', '户编号', '户码', 'code'] },
  { key: 'unit', header: '门牌', aliases: ['门牌号', '房号', '单元室号', 'unit'] },
  { key: 'address', header: '地址', aliases: ['住址', '家庭住址', 'address'] },
  { key: 'householdPhone', header: '住宅电话', aliases: ['家庭电话', '座机'] },
  { key: 'livingAlone', header: '独居', aliases: ['是否独居'] },
  { key: 'livingSituation', header: '居住情况', aliases: ['居住状况'] },
  { key: 'accessNotes', header: '钥匙/门禁说明', aliases: ['钥匙门禁说明', '钥匙/门禁', '门禁说明', '钥匙说明'] },
  { key: 'householdNotes', header: '户备注', aliases: ['备注'] },
  { key: 'residentName', header: '老人姓名', aliases: ['姓名', '老人'] },
  { key: 'gender', header: '性别' },
  { key: 'birthYear', header: '出生年份', aliases: ['出生年'] },
  { key: 'residentPhone', header: '老人电话', aliases: ['本人电话'] },
  { key: 'conditions', header: '身体状况', aliases: ['健康状况', '疾病'] },
  { key: 'careNotes', header: '照护说明', aliases: ['照护备注', '护理说明'] },
  { key: 'contactName', header: '联系人', aliases: ['紧急联系人'] },
  { key: 'relation', header: '关系', aliases: ['与老人关系'] },
  { key: 'contactPhone', header: '电话', aliases: ['联系电话', '联系人电话'] },
  { key: 'contactOrder', header: '呼叫顺序', aliases: ['联系顺序', '顺序'] },
  { key: 'buildingAddress', header: '楼栋地址' },
  { key: 'buildingX', header: '楼栋X(米)', aliases: ['X(米)'] },
  { key: 'buildingY', header: '楼栋Y(米)', aliases: ['Y(米)'] },
  { key: 'lat', header: '纬度' },
  { key: 'lng', header: '经度' },
];

const HEADER_OF = new Map(SHEET_COLUMNS.map((c) => [c.key, c.header]));
export const headerOf = (k: ColumnKey): string => HEADER_OF.get(k)!;

/** Full-width brackets and spaces are how people type headers; they mean the same column. */
function normHeader(h: string): string {
  return h.replace(/[（]/g, '(').replace(/[）]/g, ')').replace(/[／]/g, '/').replace(/\s+/g, '').toLowerCase();
}
const BY_HEADER = new Map<string, ColumnKey>();
for (const c of SHEET_COLUMNS) for (const h of [c.header, ...(c.aliases ?? [])]) BY_HEADER.set(normHeader(h), c.key);

/** Issue codes: stable, turned into words by the console (zh/en) and the CLI. */
export type SheetIssueCode =
  | 'missing_column' | 'required' | 'phone_invalid' | 'gender_invalid' | 'birth_year_invalid' | 'yes_no_invalid'
  | 'living_situation_invalid' | 'living_conflict' | 'number_invalid' | 'too_long' | 'conflicting_value'
  | 'duplicate_household' | 'duplicate_resident' | 'duplicate_contact' | 'no_resident' | 'order_invalid'
  | 'unknown_community' | 'place_retired' | 'too_many_rows' | 'empty_file' | 'unreadable_file' | 'duplicate_column';

export interface SheetIssue {
  /** The spreadsheet's row number (the header is row 1); 0 for the whole file. */
  row: number;
  /** The column's canonical header (社区, 电话…), or null for the whole row. */
  column: string | null;
  code: SheetIssueCode;
  /** The offending text, cut to 60 characters; absent for a missing value. */
  value?: string;
}

export interface SheetResident { row: number; name: string; gender: Gender | null; birthYear: number | null; phone: string | null; conditions: string[]; notes: string | null }
export interface SheetContact { row: number; name: string; relation: string; phone: string; priority: number }
export interface SheetBuilding { address: string | null; x: number | null; y: number | null; lat: number | null; lng: number | null }

export interface SheetHousehold {
  /** Row numbers of this household, first to last. */
  rows: number[];
  street: string | null;
  community: string; grid: string; building: string; code: string;
  unit: string; address: string; phone: string | null;
  livingSituation: LivingSituation;
  accessNotes: string | null; notes: string | null;
  /** Building details given on this household's rows; null fields leave the building as it is. */
  buildingDetails: SheetBuilding;
  residents: SheetResident[];
  contacts: SheetContact[];
}

export interface ParsedSheet { households: SheetHousehold[]; issues: SheetIssue[]; rows: number }

export interface SheetInput {
  headers: readonly string[];
  /** Cell text by column index; rowNumber as the spreadsheet numbers it. */
  rows: ReadonlyArray<{ rowNumber: number; cells: readonly string[] }>;
}

export const MAX_ROWS = 100_000;
const LIMITS: Partial<Record<ColumnKey, number>> = {
  street: 64, community: 64, grid: 64, building: 64, code: 64, unit: 64, address: 200, householdPhone: 32,
  accessNotes: 1000, householdNotes: 2000, residentName: 64, residentPhone: 32, conditions: 500, careNotes: 2000,
  contactName: 64, relation: 32, contactPhone: 32, buildingAddress: 200,
};
const HOUSEHOLD_KEYS: readonly ColumnKey[] = ['street', 'unit', 'address', 'householdPhone', 'livingAlone', 'livingSituation', 'accessNotes', 'householdNotes', 'buildingAddress', 'buildingX', 'buildingY', 'lat', 'lng'];
const PLACE_KEYS: readonly ColumnKey[] = ['community', 'grid', 'building', 'code'];
const REQUIRED_COLUMNS: readonly ColumnKey[] = ['community', 'grid', 'building', 'code', 'address', 'residentName'];

const cut = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

/** Which column each header names; unknown headers are ignored (a community's extra columns). */
export function mapHeaders(headers: readonly string[]): { index: Partial<Record<ColumnKey, number>>; issues: SheetIssue[] } {
  const index: Partial<Record<ColumnKey, number>> = {};
  const issues: SheetIssue[] = [];
  headers.forEach((h, i) => {
    const key = BY_HEADER.get(normHeader(h));
    if (!key) return;
    if (index[key] !== undefined) issues.push({ row: 1, column: headerOf(key), code: 'duplicate_column', value: cut(h) });
    else index[key] = i;
  });
  for (const k of REQUIRED_COLUMNS) if (index[k] === undefined) issues.push({ row: 1, column: headerOf(k), code: 'missing_column' });
  return { index, issues };
}

interface Group { rows: Array<{ row: number; v: Partial<Record<ColumnKey, string>> }> }

/** Reads every row; households come out only when the whole sheet has no issue of theirs. */
export function parseSheet(input: SheetInput, thisYear: number): ParsedSheet {
  const { index, issues } = mapHeaders(input.headers);
  if (issues.some((i) => i.code === 'missing_column' || i.code === 'duplicate_column')) return { households: [], issues, rows: input.rows.length };
  if (input.rows.length > MAX_ROWS) return { households: [], issues: [{ row: 0, column: null, code: 'too_many_rows', value: String(input.rows.length) }], rows: input.rows.length };

  const groups: Group[] = [];
  const seen = new Map<string, number>(); // community|code → first row
  let current: Group | null = null;
  let currentKey = '';
  for (const { rowNumber, cells } of input.rows) {
    const v: Partial<Record<ColumnKey, string>> = {};
    let any = false;
    for (const [k, i] of Object.entries(index) as Array<[ColumnKey, number]>) {
      const text = (cells[i] ?? '').trim();
      if (text) { v[k] = text; any = true; }
    }
    if (!any) continue; // blank rows between households are common
    for (const [k, max] of Object.entries(LIMITS) as Array<[ColumnKey, number]>) {
      if (v[k] !== undefined && v[k]!.length > max) { issues.push({ row: rowNumber, column: headerOf(k), code: 'too_long', value: cut(v[k]!) }); v[k] = v[k]!.slice(0, max); }
    }
    const startsHousehold = PLACE_KEYS.some((k) => v[k] !== undefined);
    if (!startsHousehold && current) { current.rows.push({ row: rowNumber, v }); continue; }
    // A new household, or more rows of the one above (the place columns repeated on every row).
    const key = `${v.community ?? ''}|${v.code ?? ''}`;
    if (current && key === currentKey) { current.rows.push({ row: rowNumber, v }); continue; }
    for (const k of PLACE_KEYS) if (v[k] === undefined) issues.push({ row: rowNumber, column: headerOf(k), code: 'required' });
    if (v.community && v.code) {
      const first = seen.get(key);
      if (first !== undefined) issues.push({ row: rowNumber, column: headerOf('code'), code: 'duplicate_household', value: String(first) });
      else seen.set(key, rowNumber);
    }
    current = { rows: [{ row: rowNumber, v }] };
    currentKey = key;
    groups.push(current);
  }
  if (groups.length === 0 && issues.length === 0) issues.push({ row: 0, column: null, code: 'empty_file' });

  const households: SheetHousehold[] = [];
  for (const g of groups) {
    const h = readHousehold(g, thisYear, issues);
    if (h) households.push(h);
  }
  issues.sort((a, b) => a.row - b.row);
  return { households, issues, rows: input.rows.length };
}

function readHousehold(g: Group, thisYear: number, issues: SheetIssue[]): SheetHousehold | null {
  const first = g.rows[0]!;
  const before = issues.length;
  const issue = (row: number, key: ColumnKey | null, code: SheetIssueCode, value?: string) =>
    issues.push({ row, column: key ? headerOf(key) : null, code, ...(value !== undefined ? { value: cut(value) } : {}) });
  /** A household field: the first non-blank value on its rows; another value later is a conflict. */
  const field = (k: ColumnKey): string | null => {
    let found: { row: number; text: string } | null = null;
    for (const r of g.rows) {
      const t = r.v[k];
      if (t === undefined) continue;
      if (!found) found = { row: r.row, text: t };
      else if (t !== found.text) issue(r.row, k, 'conflicting_value', t);
    }
    return found?.text ?? null;
  };
  const fields = new Map<ColumnKey, string | null>(HOUSEHOLD_KEYS.map((k) => [k, field(k)]));
  const get = (k: ColumnKey) => fields.get(k) ?? null;
  const number = (k: ColumnKey, lo: number, hi: number): number | null => {
    const t = get(k);
    if (t === null) return null;
    const n = parseNumber(t);
    if (n === null || n < lo || n > hi) { issue(rowOf(g, k), k, 'number_invalid', t); return null; }
    return n;
  };

  const address = get('address');
  if (!address) issue(first.row, 'address', 'required');
  let phone: string | null = null;
  const phoneText = get('householdPhone');
  if (phoneText !== null) { phone = checkPhone(phoneText); if (!phone) issue(rowOf(g, 'householdPhone'), 'householdPhone', 'phone_invalid', phoneText); }

  const residents: SheetResident[] = [];
  const contacts: SheetContact[] = [];
  const names = new Set<string>();
  const contactKeys = new Set<string>();
  for (const { row, v } of g.rows) {
    if (v.residentName) {
      const gender = v.gender === undefined ? null : parseGender(v.gender);
      if (v.gender !== undefined && !gender) issue(row, 'gender', 'gender_invalid', v.gender);
      const birthYear = v.birthYear === undefined ? null : parseBirthYear(v.birthYear, thisYear);
      if (v.birthYear !== undefined && birthYear === null) issue(row, 'birthYear', 'birth_year_invalid', v.birthYear);
      const rPhone = v.residentPhone === undefined ? null : checkPhone(v.residentPhone);
      if (v.residentPhone !== undefined && !rPhone) issue(row, 'residentPhone', 'phone_invalid', v.residentPhone);
      if (names.has(v.residentName)) issue(row, 'residentName', 'duplicate_resident', v.residentName);
      names.add(v.residentName);
      residents.push({ row, name: v.residentName, gender, birthYear, phone: rPhone, conditions: v.conditions ? splitList(v.conditions) : [], notes: v.careNotes ?? null });
    } else if (v.gender !== undefined || v.birthYear !== undefined || v.residentPhone !== undefined || v.conditions !== undefined || v.careNotes !== undefined) {
      issue(row, 'residentName', 'required');
    }
    if (v.contactName || v.contactPhone || v.relation) {
      if (!v.contactName) { issue(row, 'contactName', 'required'); continue; }
      if (!v.contactPhone) { issue(row, 'contactPhone', 'required'); continue; }
      const cPhone = checkPhone(v.contactPhone);
      if (!cPhone) { issue(row, 'contactPhone', 'phone_invalid', v.contactPhone); continue; }
      let priority = contacts.length + 1;
      if (v.contactOrder !== undefined) {
        if (!/^\d{1,2}$/.test(v.contactOrder) || Number(v.contactOrder) < 1) { issue(row, 'contactOrder', 'order_invalid', v.contactOrder); continue; }
        priority = Number(v.contactOrder);
      }
      const key = `${v.contactName}|${cPhone}`;
      if (contactKeys.has(key)) { issue(row, 'contactName', 'duplicate_contact', v.contactName); continue; }
      contactKeys.add(key);
      contacts.push({ row, name: v.contactName, relation: v.relation ?? '家属', phone: cPhone, priority });
    }
  }
  if (residents.length === 0 && !issues.slice(before).some((i) => i.column === headerOf('residentName'))) issue(first.row, 'residentName', 'no_resident');

  const aloneText = get('livingAlone');
  const situationText = get('livingSituation');
  const alone = aloneText === null ? null : parseYesNo(aloneText);
  if (aloneText !== null && alone === null) issue(rowOf(g, 'livingAlone'), 'livingAlone', 'yes_no_invalid', aloneText);
  const situation = situationText === null ? null : parseLivingSituation(situationText);
  if (situationText !== null && situation === null) issue(rowOf(g, 'livingSituation'), 'livingSituation', 'living_situation_invalid', situationText);
  if (alone !== null && situation !== null && alone !== (situation === 'alone')) issue(rowOf(g, 'livingSituation'), 'livingSituation', 'living_conflict', situationText!);
  const livingSituation: LivingSituation = situation ?? (alone === false ? (residents.length >= 2 ? 'couple' : 'with_family') : 'alone');

  const buildingDetails: SheetBuilding = {
    address: get('buildingAddress'),
    x: number('buildingX', -100_000, 100_000), y: number('buildingY', -100_000, 100_000),
    lat: number('lat', -90, 90), lng: number('lng', -180, 180),
  };
  if (issues.length > before) return null;
  const v = first.v;
  return {
    rows: g.rows.map((r) => r.row),
    street: get('street'), community: v.community!, grid: v.grid!, building: v.building!, code: v.code!,
    unit: get('unit') ?? v.code!, address: address!, phone, livingSituation,
    accessNotes: get('accessNotes'), notes: get('householdNotes'), buildingDetails, residents, contacts,
  };
}

function rowOf(g: Group, k: ColumnKey): number {
  return (g.rows.find((r) => r.v[k] !== undefined) ?? g.rows[0]!).row;
}

/** The sheet of a household, for the export and the template: its rows' cells by column key. */
export type RegisterEntry = Omit<SheetHousehold, 'rows' | 'residents' | 'contacts'> & {
  residents: Array<Omit<SheetResident, 'row'>>; contacts: Array<Omit<SheetContact, 'row'>>;
};

export function householdRows(h: RegisterEntry): Array<Partial<Record<ColumnKey, string | number>>> {
  const n = Math.max(1, h.residents.length, h.contacts.length);
  const out: Array<Partial<Record<ColumnKey, string | number>>> = [];
  const situation = { alone: '独居', couple: '夫妻同住', with_family: '与家人同住' }[h.livingSituation];
  for (let k = 0; k < n; k++) {
    const row: Partial<Record<ColumnKey, string | number>> = {};
    // Every row repeats the place and the code: a sorted or filtered sheet still reads right.
    Object.assign(row, { street: h.street ?? '', community: h.community, grid: h.grid, building: h.building, code: h.code });
    if (k === 0) {
      Object.assign(row, {
        unit: h.unit, address: h.address, householdPhone: h.phone ?? '', livingAlone: h.livingSituation === 'alone' ? '是' : '否',
        livingSituation: situation, accessNotes: h.accessNotes ?? '', householdNotes: h.notes ?? '',
        buildingAddress: h.buildingDetails.address ?? '', buildingX: h.buildingDetails.x ?? '', buildingY: h.buildingDetails.y ?? '',
        lat: h.buildingDetails.lat ?? '', lng: h.buildingDetails.lng ?? '',
      });
    }
    const r = h.residents[k];
    if (r) {
      Object.assign(row, {
        residentName: r.name, gender: r.gender === 'female' ? '女' : r.gender === 'male' ? '男' : '', birthYear: r.birthYear ?? '',
        residentPhone: r.phone ?? '', conditions: r.conditions.join('、'), careNotes: r.notes ?? '',
      });
    }
    const c = h.contacts[k];
    if (c) Object.assign(row, { contactName: c.name, relation: c.relation, contactPhone: c.phone, contactOrder: c.priority });
    out.push(row);
  }
  return out;
}
