// Reads and checks a register file in a worker thread (issue 17): exceljs parses a 9,000-row
// XLSX in ~1.7 s with event-loop stalls of up to ~0.7 s, which in the all-in-one service would
// hold up PUBACKs and the live feed. TypeScript runs through tsx here as in bin/guardian.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readAndParse } = await import('./register-parse.ts');
parentPort.postMessage(await readAndParse(workerData.bytes, workerData.thisYear));
