/**
 * Builds the ERP source or sink named by the `erp:` config. The only place that knows every
 * adapter: mapping, sync and the CLI ask here and see the port alone.
 */
import type { Logger } from '../logging.js';
import type { ErpConfig } from './config.js';
import { createDemoSource } from './demo/index.js';
import { createFilesSource } from './files/index.js';
import { createOdataSource } from './odata/index.js';
import { ErpError, type ErpSink, type ErpSource } from './port.js';
import { createSqlSource } from './sql/index.js';
import { createTrytonSource } from './tryton/index.js';

export interface ErpFactoryOptions {
  logger?: Logger;
  /** The mapping declares a reference price: adapters read list prices (money). */
  referencePrice?: boolean;
  /** Inspection only (`ferry erp read/check/describe`): adapters with side effects (files moving to done/) keep still. */
  readOnly?: boolean;
}

export function createErpSource(config: ErpConfig, opts: ErpFactoryOptions = {}): ErpSource {
  const logger = opts.logger ? { logger: opts.logger } : {};
  switch (config.type) {
    case 'tryton':
      return createTrytonSource(config, { ...logger, ...(opts.referencePrice ? { referencePrice: true } : {}) });
    case 'sql':
      return createSqlSource(config, logger);
    case 'demo':
      return createDemoSource(config, { ...logger, ...(opts.referencePrice ? { referencePrice: true } : {}) });
    case 'files':
      return createFilesSource(config, { ...logger, ...(opts.readOnly ? { readOnly: true } : {}) });
    case 'odata':
      return createOdataSource(config, logger);
  }
}

export function createErpSink(config: ErpConfig, opts: ErpFactoryOptions = {}): ErpSink {
  const logger = opts.logger ? { logger: opts.logger } : {};
  switch (config.type) {
    case 'tryton':
      return createTrytonSource(config, opts.referencePrice ? { referencePrice: true } : {});
    case 'sql':
      return createSqlSource(config, logger);
    case 'demo':
      // The demo ERP is a SQLite database like any other: PIM → ERP writes land in it.
      return createDemoSource(config, logger).sql;
    case 'files':
      return createFilesSource(config, logger);
    case 'odata':
      // Profiles s4 and bc write items and groups; generic answers each record with why not.
      return createOdataSource(config, logger);
    default:
      throw new ErpError(`erp.type ${(config as { type: string }).type} cannot take writes`, 'config');
  }
}
