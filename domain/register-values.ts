/**
 * Values of the register as people type them (issue 17): phone numbers, gender, yes/no, birth
 * years and lists of conditions, written the way community spreadsheets write them (男/女,
 * 是/否, "高血压、糖尿病"). Shared by the API's validation and the spreadsheet import, so a
 * value the console refuses is refused by the import the same way. Pure.
 */

/**
 * A phone number we can call: a mainland mobile (11 digits starting 1[3-9]), a landline with
 * its area code (0 + 2-3 digits + 7-8 digits, dashes or spaces allowed), or an international
 * number (+ and 7-15 digits). Returns the number as written with spaces trimmed, or null.
 */
export function checkPhone(raw: string): string | null {
  const s = raw.trim().replace(/\s+/g, ' ');
  const digits = s.replace(/[\s-]/g, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return digits;
  if (/^(\+?86)1[3-9]\d{9}$/.test(digits)) return digits;
  if (/^0\d{2,3}\d{7,8}$/.test(digits) && /^[0-9 -]+$/.test(s)) return s;
  if (/^\+[1-9]\d{6,14}$/.test(digits) && /^\+[0-9 -]+$/.test(s)) return s;
  return null;
}

export type Gender = 'female' | 'male';

/** 男/女, male/female, M/F (any case); null when not one of them. */
export function parseGender(raw: string): Gender | null {
  const s = raw.trim().toLowerCase();
  if (['女', 'female', 'f', '女性'].includes(s)) return 'female';
  if (['男', 'male', 'm', '男性'].includes(s)) return 'male';
  return null;
}

/** 是/否, 有/无, Y/N, yes/no, true/false, 1/0, √/×; null when none of them. */
export function parseYesNo(raw: string): boolean | null {
  const s = raw.trim().toLowerCase();
  if (['是', '有', 'y', 'yes', 'true', '1', '√', '✓'].includes(s)) return true;
  if (['否', '无', '不是', 'n', 'no', 'false', '0', '×', '✗'].includes(s)) return false;
  return null;
}

/** A birth year of someone alive: 1900 to this year. */
export function parseBirthYear(raw: string, thisYear: number): number | null {
  const s = raw.trim().replace(/年$/, '');
  if (!/^\d{4}$/.test(s)) return null;
  const y = Number(s);
  return y >= 1900 && y <= thisYear ? y : null;
}

/** "高血压、糖尿病；行动不便" → ['高血压', '糖尿病', '行动不便']: the separators people use. */
export function splitList(raw: string): string[] {
  return raw.split(/[、,，;；/\n]+/).map((x) => x.trim()).filter(Boolean);
}

/** A decimal number (metres, degrees); null when not one. */
export function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return null;
  return Number(s);
}

export const LIVING_SITUATIONS = ['alone', 'couple', 'with_family'] as const;
export type LivingSituation = (typeof LIVING_SITUATIONS)[number];

/** 独居 / 夫妻同住 / 与子女同住 … as communities write them; also the API's own values. */
export function parseLivingSituation(raw: string): LivingSituation | null {
  const s = raw.trim().toLowerCase();
  if ((LIVING_SITUATIONS as readonly string[]).includes(s)) return s as LivingSituation;
  if (/^(独居|独自居住|孤寡)/.test(s)) return 'alone';
  if (/^(夫妻|老两口|两老|空巢)/.test(s)) return 'couple';
  if (/^(与|和)?(子女|家人|儿女|亲属)(同住)?/.test(s)) return 'with_family';
  return null;
}

export const LIVING_SITUATION_ZH: Record<LivingSituation, string> = { alone: '独居', couple: '夫妻同住', with_family: '与家人同住' };
