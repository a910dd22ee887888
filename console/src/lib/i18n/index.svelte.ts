import { en } from './en';
import { zh, type MessageKey, type Messages } from './zh';

export type Lang = 'zh' | 'en';
export type { MessageKey };

const DICTS: Record<Lang, Messages> = { zh, en };
const STORAGE_KEY = 'guardian.lang';

function storedLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/**
 * The UI language: zh-CN unless the user switched to English (kept in localStorage). `t()` reads
 * `lang`, so every string in a template follows a switch without a reload.
 */
export class I18n {
  lang = $state<Lang>(storedLang());

  /** BCP 47 tag for Intl formatters and <html lang>. */
  get locale(): string {
    return this.lang === 'zh' ? 'zh-CN' : 'en-GB';
  }

  set(lang: Lang): void {
    this.lang = lang;
    try { globalThis.localStorage?.setItem(STORAGE_KEY, lang); } catch { /* private mode: session only */ }
    if (typeof document !== 'undefined') document.documentElement.lang = this.locale;
  }

  toggle(): void {
    this.set(this.lang === 'zh' ? 'en' : 'zh');
  }

  t = (key: MessageKey, vars?: Record<string, string | number>): string => {
    const s = DICTS[this.lang][key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
  };
}

export const i18n = new I18n();
export const t = i18n.t;
