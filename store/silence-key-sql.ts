import { IN_BED_KEY } from '../domain/room-aware-silence.js';

/**
 * The baseline key of a signal row aliased `s` (domain/room-aware-silence.ts): its room, or
 * IN_BED_KEY when a bed sensor says "in bed" (the silence after lying down is sleep, not the
 * bedroom's minutes). The key is a constant of ours, never input.
 */
export const silenceKeySql = (s: string): string =>
  `CASE WHEN ${s}.type = 'bed' AND ${s}.value IN ('true'::jsonb, '1'::jsonb) THEN '${IN_BED_KEY}' ELSE COALESCE(${s}.room, '') END`;
