import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { countChanges, isNoChange, planRegisterChanges, type ChangeCounts, type RegisterChanges } from '../../domain/register-plan.js';
import { householdRows, type SheetIssue } from '../../domain/register-sheet.js';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { newRegisterId } from '../../store/register-rows.js';
import { applyRegisterChanges, IMPORT_LOCK_KEY, loadRegisterSnapshot, readRegister } from '../../store/register-import-repository.js';
import {
  claimImportJob, findImportJob, insertImportJob, listImportJobs, updateImportJob, type ImportJobRow,
} from '../../store/register-imports-repository.js';
import { ApiError, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Actor } from './actor.js';
import { writeRegisterFile, type RegisterFormat } from './register-file.js';
import { readAndParseOffThread, type ParsedFile } from './register-parse.js';

/** At most this many issues go into a report (the count says how many there were). */
const MAX_ISSUES = 2000;

export interface ImportReport {
  fileName: string; format: RegisterFormat; rows: number; households: number;
  issueCount: number; issues: SheetIssue[];
  /** What applying would change (dry run) or changed (apply); null when the file has issues. */
  counts: ChangeCounts | null;
  noChange: boolean;
  applied: boolean;
  /** Seconds the apply took (the write transaction, file reading included). */
  seconds?: number;
}

export type Progress = (phase: string, done: number, total: number) => void;

const TEMPLATE_NOTES = [
  '社区老人台账导入模板（365云守护）',
  '一行一人：第一行写户的信息（社区、网格、楼栋、户号、地址…）和第一位老人、第一位联系人；同一户的第二位老人或联系人写在下一行，户号可留空（或合并单元格）。',
  '户号在本社区内唯一：再次导入同一户号会更新这户，不会重复建档；文件里没有列出的老人会被标记为迁出，没有列出的联系人会被删除（审计日志留底）。',
  '必填：社区、网格、楼栋、户号、地址、老人姓名。电话：手机 11 位（13812345678），座机带区号（025-84561234），或 +国家码。',
  '性别：男/女；独居：是/否；居住情况：独居、夫妻同住、与家人同住；身体状况用顿号分隔（高血压、糖尿病）；呼叫顺序：1 最先。',
  '楼栋地址、楼栋X(米)、楼栋Y(米)（小区平面图坐标）、纬度、经度可留空，留空则不改。',
  '先"试导入"检查（不写入任何数据），逐行报告错误；全部无误后"确认导入"，一次性全部写入，出错则全部不写。',
];

/**
 * Bulk import and export of the register (issue 17 item 2; DESIGN §8: a service in api/ over
 * repositories in store/, called by the routes and by `guardian import/export`). A dry run
 * reads, checks and plans, and writes nothing; apply re-reads, re-plans against the register as
 * it is then, and writes everything in one transaction or nothing.
 */
export class RegisterImportService {
  constructor(private readonly pool: pg.Pool, private readonly clock: Clock) {}

  /** The dry run: issues with row numbers, and what applying would change. */
  async check(actor: AuthUser, bytes: Buffer, fileName: string, progress: Progress = () => {}): Promise<ImportReport> {
    const { report } = await this.plan(this.pool, actor, await this.read(bytes, progress), fileName, progress);
    return report;
  }

  /** All or nothing, in one transaction; a file with any issue writes nothing. */
  async apply(actor: Actor, bytes: Buffer, fileName: string, progress: Progress = () => {}): Promise<ImportReport> {
    const started = performance.now();
    // Read before the transaction: nothing is locked while the file is parsed.
    const sheet = await this.read(bytes, progress);
    return inTransaction(this.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
      const { report, changes } = await this.plan(tx, actor, sheet, fileName, progress);
      if (!changes || report.issueCount > 0 || !actor.scope.canWrite) return report;
      const at = this.clock.now();
      const total = changes.households.length + changes.householdUpdates.length;
      let done = 0;
      progress('writing', 0, total);
      await applyRegisterChanges(tx, changes, { username: actor.username, role: actor.role, ip: actor.ip, at }, (n) => { done += n; progress('writing', done, total); });
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'register.import', target: fileName, ip: actor.ip, data: { counts: report.counts } }, at);
      return { ...report, applied: true, seconds: Math.round((performance.now() - started) / 100) / 10 };
    }).then(async (report) => {
      // Fresh statistics after a bulk write keep the board's household query on its indexes.
      if (report.applied && report.counts && report.counts.households > 500) await this.pool.query('ANALYZE households, residents, contacts, buildings, grids');
      return report;
    });
  }

  private async read(bytes: Buffer, progress: Progress): Promise<ParsedFile> {
    progress('reading', 0, 1);
    return readAndParseOffThread(bytes, this.clock.now().getFullYear());
  }

  private async plan(db: pg.Pool | pg.PoolClient, actor: AuthUser, sheet: ParsedFile, fileName: string, progress: Progress): Promise<{ report: ImportReport; changes: RegisterChanges | null }> {
    const base = { fileName, format: sheet.format, rows: sheet.rows, households: sheet.households.length, applied: false };
    let changes: RegisterChanges | null = null;
    const issues = [...sheet.issues];
    if (issues.length === 0) {
      progress('planning', 0, sheet.households.length);
      const names = [...new Set(sheet.households.map((h) => h.community))];
      const snapshot = await loadRegisterSnapshot(db, names, actor.scope);
      changes = planRegisterChanges(sheet.households, snapshot, {
        mayCreateCommunities: actor.scope.all, communityIds: actor.scope.all ? null : actor.scope.communityIds, newId: newRegisterId,
      });
      issues.push(...changes.issues);
      progress('planning', sheet.households.length, sheet.households.length);
    }
    issues.sort((a, b) => a.row - b.row);
    const ok = issues.length === 0 && changes !== null;
    return {
      report: { ...base, issueCount: issues.length, issues: issues.slice(0, MAX_ISSUES), counts: ok ? countChanges(changes!) : null, noChange: ok && isNoChange(changes!) },
      changes: ok ? changes : null,
    };
  }

  /** The register of the caller's communities in the import's own shape (so export → import round-trips). */
  async export(actor: Actor, format: RegisterFormat, communityId?: string): Promise<{ bytes: Buffer; households: number }> {
    const households = await readRegister(this.pool, actor.scope, communityId);
    const bytes = await writeRegisterFile(households.flatMap((h) => householdRows(h)), format);
    await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'register.export', target: communityId ?? null, ip: actor.ip, data: { households: households.length, format } }, this.clock.now());
    return { bytes, households: households.length };
  }

  /** An empty sheet with the headers, one example household and (XLSX) a sheet of instructions. */
  template(format: RegisterFormat): Promise<Buffer> {
    const example = householdRows({
      street: '南苑街道', community: '鹿山社区', grid: '第1网格', building: '鹿山新村1栋', code: '1-1-101', unit: '1单元101室',
      address: '南京市建邺区鹿山路88号鹿山新村1栋1单元101室', phone: '025-84561234', livingSituation: 'couple',
      accessNotes: '备用钥匙在楼栋长王阿姨家（1单元102室）；门禁密码 3690#', notes: null,
      buildingDetails: { address: null, x: 120, y: 45.5, lat: null, lng: null },
      residents: [
        { name: '王秀英', gender: 'female', birthYear: 1941, phone: null, conditions: ['高血压', '行动不便'], notes: '耳背，敲门要用力' },
        { name: '李国华', gender: 'male', birthYear: 1938, phone: '13812345678', conditions: ['糖尿病'], notes: null },
      ],
      contacts: [
        { name: '李明', relation: '儿子', phone: '13987654321', priority: 1 },
        { name: '李芳', relation: '女儿', phone: '13700001234', priority: 2 },
      ],
    });
    return writeRegisterFile(example, format, TEMPLATE_NOTES);
  }

  // --- Jobs: the console uploads, polls the dry run, then asks to apply (issue 17: progress). ---

  async startCheck(actor: Actor, bytes: Buffer, fileName: string): Promise<ImportJobRow> {
    const job = await insertImportJob(this.pool, { id: randomUUID(), createdBy: actor.username, fileName, format: bytes[0] === 0x50 ? 'xlsx' : 'csv', content: bytes, at: this.clock.now() });
    void this.run(job.id, 'checked', (p) => this.check(actor, bytes, fileName, p));
    return job;
  }

  async startApply(actor: Actor, id: string): Promise<ImportJobRow> {
    const job = await this.job(actor, id);
    const report = job.report as ImportReport | null;
    if (job.state === 'checked' && report && report.issueCount > 0) throw new ApiError(409, 'import_has_issues', `the file has ${report.issueCount} issue(s); correct them and upload it again`);
    if (!(await claimImportJob(this.pool, id, this.clock.now()))) throw new ApiError(409, 'import_not_ready', `import ${id} is ${job.state}; only a checked import can be applied, once`);
    void this.run(id, 'applied', (p) => this.apply(actor, job.content, job.fileName, p));
    const { content: _content, ...claimed } = await this.job(actor, id);
    return claimed;
  }

  async job(user: AuthUser, id: string): Promise<ImportJobRow & { content: Buffer }> {
    const job = await findImportJob(this.pool, id);
    if (!job || job.createdBy !== user.username) throw notFound(`no import ${id}`);
    return job;
  }

  jobs(user: AuthUser, limit: number, offset: number) {
    return listImportJobs(this.pool, user.username, limit, offset);
  }

  private async run(id: string, endState: 'checked' | 'applied', work: (p: Progress) => Promise<ImportReport>) {
    let last = 0;
    const progress: Progress = (phase, done, total) => {
      // At most a write every 250 ms: progress is for people, not a second load on the database.
      const now = performance.now();
      if (now - last < 250 && done !== total) return;
      last = now;
      void updateImportJob(this.pool, id, { phase, done, total, at: this.clock.now() }).catch(() => {});
    };
    try {
      const report = await work(progress);
      const state = endState === 'applied' && !report.applied ? 'failed' : endState;
      await updateImportJob(this.pool, id, { state, phase: 'done', report, at: this.clock.now() });
    } catch (err) {
      await updateImportJob(this.pool, id, { state: 'failed', phase: 'error', report: { error: (err as Error).message.slice(0, 300) }, at: this.clock.now() }).catch(() => {});
    }
  }
}
