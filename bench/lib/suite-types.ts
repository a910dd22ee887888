import type { ScenarioResult } from '../scenario.js';
import type { MachineInfo } from './machine-info.js';

export interface ScenarioOutcome {
  id: string;
  title: string;
  file: string;
  status: 'ok' | 'failed';
  error?: string;
  durationMs: number;
  budgetMs: number;
  /** 1-minute load average before and after: others share these cores. */
  load1Before: number;
  load1After: number;
  result?: ScenarioResult;
}

export interface SuiteReport {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  command: string;
  machine: MachineInfo;
  /** Other node processes running when the suite started (other engineers' tests). */
  nodeProcessesAtStart: number;
  scenarios: ScenarioOutcome[];
}
