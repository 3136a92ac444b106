/**
 * XLSX rows with exceljs's streaming WorkbookReader: the workbook is never loaded
 * whole; only the shared-string table is held in memory (Excel's own design).
 * exceljs is kept (no release since 2023) because no maintained streaming reader caps
 * decompression either: checkZipLimits (zip-limits.ts) refuses bombs before exceljs runs,
 * which bounds what exceljs can hold (see docs/erp-files.md, "Limits").
 * Numbers become their shortest exact text, date cells ISO-8601.
 */
import { cellText } from '../values.js';
import { FileFormatError, truncateRaw, type ReaderEvent } from './types.js';
import { checkZipLimits, DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-limits.js';

export interface XlsxOptions {
  sheet?: string | number;
  header: boolean | string[];
  skipLines: number;
  /** Decompression limits (DEFAULT_ZIP_LIMITS unless a test or the config narrows them). */
  limits?: ZipLimits;
}

interface WorkbookModel {
  sheets?: { name: string; id: number; rId: string }[];
}
interface Rel {
  Id: string;
  Target: string;
}

/** The worksheet file number (xl/worksheets/sheetN.xml) of the wanted sheet, when the workbook says. */
function wantedSheetNo(reader: unknown, sheet: string | number | undefined): { no: string | null; names: string[] } {
  const r = reader as { model?: WorkbookModel; workbookRels?: Rel[] };
  const sheets = r.model?.sheets ?? [];
  const names = sheets.map((s) => s.name);
  let chosen = sheets[0];
  if (typeof sheet === 'number') chosen = sheets[sheet - 1];
  else if (typeof sheet === 'string') chosen = sheets.find((s) => s.name === sheet) ?? sheets.find((s) => s.name.toLowerCase() === sheet.toLowerCase());
  if (!chosen) return { no: sheets.length ? '' : null, names };
  const target = r.workbookRels?.find((rel) => rel.Id === chosen.rId)?.Target ?? '';
  const m = /sheet(\d+)\.xml$/.exec(target);
  return { no: m ? m[1]! : null, names };
}

export async function* readXlsx(path: string, opts: XlsxOptions, fileName: string): AsyncGenerator<ReaderEvent[]> {
  // exceljs inflates whatever the zip holds: the limits are checked first, in one streaming pass.
  await checkZipLimits(path, fileName, opts.limits ?? DEFAULT_ZIP_LIMITS);
  // Loaded on first use: exceljs is large, and most drop folders hold no spreadsheet.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let found = false;
  let headerDone = opts.header !== true;
  let width = 0;
  if (Array.isArray(opts.header)) {
    width = opts.header.length;
    yield [{ type: 'header', columns: opts.header }];
  }
  try {
    for await (const ws of reader) {
      const id = String((ws as unknown as { id: number | string }).id);
      const wanted = wantedSheetNo(reader, opts.sheet);
      if (wanted.no === '') {
        throw new FileFormatError(`${fileName} has no worksheet ${JSON.stringify(opts.sheet)}; its sheets are: ${wanted.names.join(', ')}`);
      }
      const isWanted = wanted.no === null ? !found && (opts.sheet === undefined || opts.sheet === 1) : wanted.no === id;
      if (!isWanted || found) {
        for await (const _row of ws) void _row; // drain: the zip is read in order
        continue;
      }
      found = true;
      for await (const row of ws) {
        if (row.number <= opts.skipLines) continue;
        const values = row.values as unknown[];
        const cells: (string | null)[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (cells.every((c) => c === null || c === '')) continue;
        if (!headerDone) {
          headerDone = true;
          width = cells.length;
          yield [{ type: 'header', columns: cells.map((c, i) => (c ?? '').trim() || `column${i + 1}`) }];
          continue;
        }
        if (width === 0) {
          width = cells.length;
          yield [{ type: 'header', columns: cells.map((_, i) => `column${i + 1}`) }];
        }
        // Trailing empty cells are absent in XLSX; pad so counts compare with the header.
        while (cells.length < width) cells.push(null);
        yield [{ type: 'row', line: row.number, cells, raw: truncateRaw(cells.map((c) => c ?? '').join('\t')) }];
      }
    }
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${fileName} is not a readable XLSX workbook: ${(e as Error).message}`);
  }
  if (!found) throw new FileFormatError(`${fileName}: worksheet ${JSON.stringify(opts.sheet ?? 1)} not found`);
}
