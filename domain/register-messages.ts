import type { SheetIssue, SheetIssueCode } from './register-sheet.js';

/**
 * The import's issues in words, for the CLI (the console has the same in its i18n files, since
 * it talks to the service only over HTTP). "第 12 行：电话号码格式不对" / "row 12: …".
 */
const ZH: Record<SheetIssueCode, string> = {
  missing_column: '缺少"{column}"列',
  duplicate_column: '"{column}"列出现了两次',
  required: '"{column}"不能为空',
  phone_invalid: '{column}号码格式不对（{value}）：手机 11 位，座机带区号',
  gender_invalid: '性别应为"男"或"女"（{value}）',
  birth_year_invalid: '出生年份应为 1900 年到今年之间的四位数字（{value}）',
  yes_no_invalid: '"{column}"应填"是"或"否"（{value}）',
  living_situation_invalid: '居住情况应为"独居""夫妻同住"或"与家人同住"（{value}）',
  living_conflict: '"独居"与"居住情况"矛盾（{value}）',
  number_invalid: '"{column}"应为数字（{value}）',
  too_long: '"{column}"太长（{value}）',
  conflicting_value: '同一户的"{column}"前后不一致（{value}）',
  duplicate_household: '户号重复：与第 {value} 行是同一户号',
  duplicate_resident: '同一户里有两位同名老人（{value}）',
  duplicate_contact: '同一户里重复的联系人（{value}）',
  no_resident: '这一户没有老人姓名',
  order_invalid: '呼叫顺序应为 1 起的整数（{value}）',
  unknown_community: '社区"{value}"不存在或不在您的管辖范围内',
  place_retired: '"{value}"已停用',
  too_many_rows: '文件行数太多（{value}），请分批导入',
  empty_file: '文件里没有数据行',
  unreadable_file: '无法读取文件：请上传 .xlsx 或 .csv',
};

const EN: Record<SheetIssueCode, string> = {
  missing_column: 'the column "{column}" is missing',
  duplicate_column: 'the column "{column}" appears twice',
  required: '"{column}" must not be empty',
  phone_invalid: '{column}: not a phone number ({value}); a mobile has 11 digits, a landline its area code',
  gender_invalid: 'gender must be 男 or 女 ({value})',
  birth_year_invalid: 'birth year must be four digits from 1900 to this year ({value})',
  yes_no_invalid: '"{column}" must be 是 or 否 ({value})',
  living_situation_invalid: 'living situation must be 独居, 夫妻同住 or 与家人同住 ({value})',
  living_conflict: '"独居" and "居住情况" disagree ({value})',
  number_invalid: '"{column}" must be a number ({value})',
  too_long: '"{column}" is too long ({value})',
  conflicting_value: '"{column}" differs between rows of the same household ({value})',
  duplicate_household: 'household code repeated: the same code as row {value}',
  duplicate_resident: 'two residents of the same name in one household ({value})',
  duplicate_contact: 'the same contact twice in one household ({value})',
  no_resident: 'this household has no resident name',
  order_invalid: 'order to call must be a whole number from 1 ({value})',
  unknown_community: 'community "{value}" does not exist or is not yours',
  place_retired: '"{value}" is retired',
  too_many_rows: 'too many rows ({value}); import in parts',
  empty_file: 'the file has no data rows',
  unreadable_file: 'cannot read the file: upload .xlsx or .csv',
};

export function issueText(issue: SheetIssue, lang: 'zh' | 'en'): string {
  const text = (lang === 'zh' ? ZH : EN)[issue.code]
    .replace('{column}', issue.column ?? '').replace('{value}', issue.value ?? '');
  if (issue.row === 0) return text;
  return lang === 'zh' ? `第 ${issue.row} 行：${text}` : `row ${issue.row}: ${text}`;
}
