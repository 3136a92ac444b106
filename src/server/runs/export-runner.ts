/**
 * The export (PIM → ERP) as the Console starts it: from the events receiver, the "PIM → ERP"
 * page, a schedule. The function itself is src/app/run-export.ts (`runExport`); the run
 * manager takes it as a dependency so tests may count the calls of a real export.
 */
import type { FerryConfig } from '../../config/schema.js';

export interface ExportRunOptions {
  /** Only these products (identifiers, or uuids for products without one). */
  keys?: string[];
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { phase?: string; read?: number; settled?: number }) => void;
}

export type ExportRunner = (config: FerryConfig, options: ExportRunOptions) => Promise<unknown>;
