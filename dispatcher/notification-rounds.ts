/**
 * The `round` of a notification (migration 003: unique per alert, round, channel, target): the
 * occasion it belongs to. A page round per escalation level (levels past the top tier are the
 * "re-notify everyone" rounds of DESIGN §4, one per ACK_TIMEOUT_S), and one round per SLA
 * notice and arrival reminder — so each is sent once however often a timer or the reconciler runs.
 */
export const PAGE_ROUND_PREFIX = 'level:';
export const pageRound = (level: number) => `${PAGE_ROUND_PREFIX}${level}`;
export const SLA_WARN_ROUND = 'sla:warn';
export const SLA_BREACH_ROUND = 'sla:breach';
export const ARRIVE_REMIND_ROUND = 'arrive:remind';
