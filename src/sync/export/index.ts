/** The export (PIM → ERP) as the composition root calls it. */
export { executeExport, EXPORT_WATERMARK, type ExportDeps, type ExportOptions, type ExportProgress } from './run.js';
export { formatExportReport, type ExportReport, type ExportedProduct } from './report.js';
export { markReturnedInErp } from './returned.js';
export { planStatusAttributes, applyStatusAttributes } from './bootstrap.js';
