/**
 * Masking of residents' personal data for roles that do not need it (DESIGN §6). Pure
 * functions, so the rules are unit-tested apart from HTTP. Conventions follow common Chinese
 * practice (e.g. GB/T 35273 de-identification examples): phones as 138****5678, ID numbers
 * keep only their first and last few characters, addresses keep the administrative area
 * (city/district/subdistrict) and hide the street and house number.
 */

const STAR = '*';

/** 13812345678 → 138****5678; +86 138 1234 5678 → +86138****5678; short numbers keep the last 2. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (phone === null || phone === undefined) return null;
  const compact = phone.replace(/[\s-]/g, '');
  if (compact.length === 0) return compact;
  if (compact.length >= 11) {
    return compact.slice(0, compact.length - 8) + STAR.repeat(4) + compact.slice(-4);
  }
  if (compact.length <= 2) return STAR.repeat(compact.length);
  return STAR.repeat(compact.length - 2) + compact.slice(-2);
}

/** 320102194501011234 → 3201**********1234 (birth date hidden); short values are fully hidden. */
export function maskIdNumber(id: string | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  if (id.length < 10) return STAR.repeat(id.length);
  return id.slice(0, 4) + STAR.repeat(id.length - 8) + id.slice(-4);
}

/**
 * Administrative units we keep, longest first so 自治区 wins over 区. A chunk ending in 小区/社区/
 * 园区 is a housing estate, not a district, and is hidden with the rest.
 */
const ADMIN_CHUNK = /^[^\d\s*#,，]{1,12}?(?:特别行政区|自治区|自治州|自治县|地区|街道|省|市|州|盟|区|县|旗|镇|乡)/u;
const ESTATE = /(?:小区|社区|园区|校区|景区)$/u;
export const MASKED_ADDRESS_TAIL = '****';

/** 南京市鼓楼区宁海路街道芦山路18号 → 南京市鼓楼区宁海路街道****; no known area → ****. */
export function maskAddress(address: string | null | undefined): string | null {
  if (address === null || address === undefined) return null;
  let kept = '';
  let rest = address.trim();
  for (;;) {
    const m = ADMIN_CHUNK.exec(rest);
    if (!m || ESTATE.test(m[0])) break;
    kept += m[0];
    rest = rest.slice(m[0].length);
  }
  return rest.length === 0 ? kept : kept + MASKED_ADDRESS_TAIL;
}
