import { Worker } from 'node:worker_threads';
import { parseSheet, type ParsedSheet, type SheetIssue } from '../../domain/register-sheet.js';
import { readRegisterFile, UnreadableFileError, type RegisterFormat } from './register-file.js';

export type ParsedFile = ParsedSheet & { format: RegisterFormat };

/** Reads the bytes and checks every row; an unreadable file is one issue, not an exception. */
export async function readAndParse(bytes: Uint8Array, thisYear: number): Promise<ParsedFile> {
  try {
    const file = await readRegisterFile(Buffer.from(bytes));
    return { ...parseSheet(file, thisYear), format: file.format };
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    const issue: SheetIssue = { row: 0, column: null, code: 'unreadable_file', value: err.message.slice(0, 60) };
    return { households: [], issues: [issue], rows: 0, format: 'csv' };
  }
}

/**
 * The same in a worker thread, so a large file does not stall the service's event loop; in
 * process when a worker cannot be started (the result is the same, only slower to others).
 */
export function readAndParseOffThread(bytes: Buffer, thisYear: number): Promise<ParsedFile> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./register-parse-worker.mjs', import.meta.url), { workerData: { bytes, thisYear } });
    } catch {
      resolve(readAndParse(bytes, thisYear));
      return;
    }
    let done = false;
    worker.once('message', (r: ParsedFile) => { done = true; resolve(r); void worker.terminate(); });
    worker.once('error', (err) => { if (!done) { done = true; reject(err); } });
    worker.once('exit', (code) => { if (!done) { done = true; reject(new Error(`the file reader stopped (exit ${code})`)); } });
  });
}
