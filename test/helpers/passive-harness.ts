import { inject } from 'vitest';
import { PassiveRules, type PassiveRulesDeps } from '../../dispatcher/passive/passive-rules.js';
import type { SweepRule } from '../../domain/queues.js';
import { waitFor } from './db.js';

/** The passive rules on a clock the test moves, counting each rule's completed sweeps. */
export interface PassiveHarness {
  clock: { now: Date };
  rules: PassiveRules;
  /** Warnings the rules logged. */
  warnings: string[];
  /** Waits for `n` more complete sweeps of `rule` from now on (the first may have started before the call). */
  sweeps(rule: SweepRule, n?: number): Promise<void>;
}

/**
 * Starts PassiveRules at `now` with fast sweeps on the file's Redis (its own queue prefix) and
 * records it in `running`, which the file stops after each test. The four passive-rule test
 * files each had these lines.
 */
export async function startPassiveRules(
  now: Date,
  deps: Pick<PassiveRulesDeps, 'pool' | 'config' | 'queuePrefix'> & Partial<Pick<PassiveRulesDeps, 'rosterSweepEveryMs' | 'caller'>>,
  running: PassiveRules[],
): Promise<PassiveHarness> {
  const clock = { now };
  const counts = new Map<SweepRule, number>();
  const warnings: string[] = [];
  const rules = new PassiveRules({
    redisUrl: inject('redisUrl'), clock: () => clock.now, sweepEveryMs: 150, rosterSweepEveryMs: 5000, ...deps,
    log: { info: () => {}, warn: (m) => { warnings.push(m); } },
    onSweep: (rule) => counts.set(rule, (counts.get(rule) ?? 0) + 1),
  });
  running.push(rules);
  await rules.start();
  return {
    clock, rules, warnings,
    async sweeps(rule, n = 2) {
      const target = (counts.get(rule) ?? 0) + n;
      await waitFor(() => (counts.get(rule) ?? 0) >= target, { what: `${n} ${rule} sweeps` });
    },
  };
}
