/**
 * Phone numbers as providers write them (issue 16): Aliyun takes and reports mainland numbers
 * as 11 digits; Tencent wants E.164 (`+8613…`) and reports `mobile` + `nationcode` apart. One
 * normal form — the national number for +86, `+<digits>` otherwise — lets a reply or a receipt
 * find the notification whatever spelling it came back in.
 */
export function normalizePhone(raw: string): string {
  const digits = raw.replace(/[^\d+]/g, '');
  const plain = digits.replace(/^\+/, '');
  if (/^(0086|86)1\d{10}$/.test(plain)) return plain.slice(-11);
  if (/^1\d{10}$/.test(plain)) return plain;
  if (digits.startsWith('+')) return digits;
  if (plain.startsWith('00')) return `+${plain.slice(2)}`;
  return plain;
}

/** E.164 for providers that want it: a mainland mobile gets +86. */
export function toE164(raw: string, defaultCountry = '86'): string {
  const n = normalizePhone(raw);
  if (n.startsWith('+')) return n;
  return `+${defaultCountry}${n}`;
}

/** A (nationcode, mobile) pair as Tencent reports it, in our normal form. */
export function fromNationMobile(nationcode: string | undefined, mobile: string): string {
  const code = (nationcode ?? '86').replace(/\D/g, '') || '86';
  return code === '86' ? normalizePhone(mobile) : normalizePhone(`+${code}${mobile.replace(/\D/g, '')}`);
}

/** Whether an SMS reply means "I accept" (issue 16: reply "1"); full-width digits count too. */
export function isAcceptReply(text: string): boolean {
  const t = text.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\s+/g, '');
  return t === '1' || t === '接单' || t === '1接单';
}
