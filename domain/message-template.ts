/**
 * Message templates with variables (issue 16): `{kind}` style placeholders, filled from what an
 * alert notification knows. SMS and voice providers keep their own approved templates (Aliyun
 * `${name}`, Tencent `{1}` by position); our settings map each provider variable to one of
 * ours, e.g. Aliyun `{"kind":"{kind}","place":"{place}"}`, Tencent `["{kind}","{place}","{code}"]`.
 */
export const MESSAGE_VARIABLES = ['kind', 'place', 'address', 'unit', 'building', 'level', 'name', 'code', 'link', 'text', 'title'] as const;
export type MessageVariable = (typeof MESSAGE_VARIABLES)[number];
export type MessageVars = Partial<Record<MessageVariable, string>>;

const PLACEHOLDER = /\{([a-z]+)\}/g;

/** Replaces `{name}` with its value; unknown or missing names become empty strings. */
export function renderTemplate(template: string, vars: MessageVars): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => (vars as Record<string, string | undefined>)[name] ?? '');
}

/** Renders every value of an object template (Aliyun TemplateParam / TtsParam). */
export function renderObjectTemplate(template: Readonly<Record<string, string>>, vars: MessageVars): Record<string, string> {
  return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderTemplate(v, vars)]));
}

/** Names used in a template that are not ours: a typo an admin should hear about at once. */
export function unknownVariables(template: string): string[] {
  const known = new Set<string>(MESSAGE_VARIABLES);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((n) => !known.has(n));
}

/**
 * Providers cap a template variable's length (Aliyun: 35 characters for most variable kinds;
 * Tencent: 6–26 depending on the kind). A long address is cut rather than refused: the
 * message still goes out and says enough to find the door.
 */
export function clip(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}
