/**
 * A child process for tryton-e2e.test.ts: `ferry export` (runExport) with the config given as
 * JSON in argv[2], whose ERP sink SIGKILLs this process right after Tryton numbered the first
 * product — before Ferry writes the number and the status into the PIM. The crash window of
 * `export.sku.mode: erp`, for real: no catch, no finally, no flush.
 */
import { runExport } from '../../../src/app/run-export.js';
import { ferryConfigSchema } from '../../../src/config/schema.js';
import { createErpSink } from '../../../src/erp/factory.js';
import type { NumberedProduct } from '../../../src/erp/port.js';
import { createLogger } from '../../../src/logging.js';

const config = ferryConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const logger = createLogger({ level: 'silent' });
const sink = createErpSink(config.erp, { logger });
const numbered = sink.createNumbered!.bind(sink);
sink.createNumbered = async (products: NumberedProduct[]) => {
  const results = await numbered(products);
  process.stdout.write(`${JSON.stringify(results)}\n`, () => process.kill(process.pid, 'SIGKILL'));
  // Never answers: the process dies with the ERP's answer unread by the run.
  return new Promise(() => undefined);
};
await runExport(config, { sink, logger });
process.stdout.write('the export ended without the crash\n');
