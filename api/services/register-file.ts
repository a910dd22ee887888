import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { SHEET_COLUMNS, type ColumnKey, type SheetInput } from '../../domain/register-sheet.js';

/**
 * The register spreadsheet as bytes, through exceljs (issue 17): XLSX (the first sheet, or the
 * one named 住户) and CSV (UTF-8 with or without BOM, or GB18030 as Excel on a Chinese Windows
 * saves it). Every cell is read as the text it shows, so a phone number typed as a number keeps
 * its digits and a leading zero survives.
 */
export type RegisterFormat = 'xlsx' | 'csv';
export const SHEET_NAME = '住户';

export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

/** XLSX is a zip file ("PK\x03\x04"); anything else is read as CSV text. */
export function detectFormat(bytes: Uint8Array): RegisterFormat {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04 ? 'xlsx' : 'csv';
}

export async function readRegisterFile(bytes: Buffer): Promise<SheetInput & { format: RegisterFormat }> {
  const format = detectFormat(bytes);
  const wb = new ExcelJS.Workbook();
  let ws: ExcelJS.Worksheet | undefined;
  try {
    if (format === 'xlsx') {
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      ws = wb.getWorksheet(SHEET_NAME) ?? wb.worksheets[0];
    } else {
      // Keep every value as the text written: no number or date guessing (02584561234 stays).
      ws = await wb.csv.read(Readable.from([decodeText(bytes)]), { map: (v: unknown) => v });
    }
  } catch (err) {
    throw new UnreadableFileError(`not a readable ${format.toUpperCase()} file: ${(err as Error).message}`);
  }
  if (!ws) throw new UnreadableFileError('the workbook has no sheet');
  const text = (row: ExcelJS.Row, i: number) => {
    const cell = row.getCell(i + 1);
    const t = cell.value === null || cell.value === undefined ? '' : cell.text;
    return typeof t === 'string' ? t : String(t);
  };
  const width = Math.max(ws.columnCount, ws.getRow(1).cellCount);
  const headers = Array.from({ length: width }, (_, i) => text(ws!.getRow(1), i).replace(/^\uFEFF/, ''));
  const rows: SheetInput['rows'][number][] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    // A CSV export defuses formulas with a leading apostrophe; take it off again.
    rows.push({ rowNumber, cells: Array.from({ length: width }, (_, i) => text(row, i).replace(/^'(?=[=+\-@])/, '')) });
  });
  return { headers, rows, format };
}

function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

type Cells = Partial<Record<ColumnKey, string | number>>;

/** The sheet as a file: header row of SHEET_COLUMNS, then the rows. */
export async function writeRegisterFile(rows: readonly Cells[], format: RegisterFormat, notes?: readonly string[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '365 Cloud Guardian';
  const ws = wb.addWorksheet(SHEET_NAME, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = SHEET_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: Math.max(8, c.header.length * 2 + 4) }));
  for (const r of rows) {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(r)) {
      if (v === '' || v === undefined) continue;
      // Spreadsheets run cells starting with = + - @ as formulas (CSV injection): defuse in CSV.
      out[k] = format === 'csv' && typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : v;
    }
    ws.addRow(out);
  }
  if (format === 'csv') {
    const body = await wb.csv.writeBuffer({ sheetName: SHEET_NAME, formatterOptions: { rowDelimiter: '\r\n' } });
    // With a BOM, Excel opens the Chinese headers right by double click.
    return Buffer.concat([Buffer.from('\uFEFF', 'utf8'), Buffer.from(body)]);
  }
  ws.getRow(1).font = { bold: true };
  // Phones and codes as text, so Excel does not turn 02584561234 into a number.
  for (const key of ['code', 'unit', 'householdPhone', 'residentPhone', 'contactPhone'] as const) ws.getColumn(key).numFmt = '@';
  if (notes?.length) {
    const help = wb.addWorksheet('说明');
    help.getColumn(1).width = 110;
    for (const line of notes) help.addRow([line]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
