import { ApiError } from './api';
import { i18n, t, type MessageKey } from './i18n/index.svelte';
import { zh } from './i18n/zh';

/**
 * An error from the API in the user's language: the server sends a stable code; a code we have
 * words for (reg.err.<code>) is shown in zh/en, anything else as the server's own message.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = `reg.err.${err.code}`;
    if (key in zh) return t(key as MessageKey);
    return err.message;
  }
  return i18n.lang === 'zh' ? `出错了：${String((err as Error)?.message ?? err)}` : String((err as Error)?.message ?? err);
}
