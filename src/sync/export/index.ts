/** The export (PIM → ERP) as the composition root calls it. */
export { executeExport, type ExportOptions } from './run.js';
export { formatExportReport, type ExportReport } from './report.js';
export { markReturnedInErp } from './returned.js';
