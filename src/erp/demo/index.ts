/**
 * The demo ERP source: the generated SQLite database (see generate.ts) read through the SQL
 * adapter with a built-in stream configuration. Generated on first use when absent (or when
 * it was generated for other options).
 */
import { resolve } from 'node:path';
import type { Logger } from '../../logging.js';
import { createSqlSource, type SqlSource } from '../sql/index.js';
import { demoConfigSchema, type DemoConfig, type DemoConfigInput, type SqlConfigInput } from '../sql/config.js';
import type { ErpSource } from '../port.js';
import { ensureDemoErp, type DemoErpSummary } from './generate.js';

export { generateDemoErp, isDemoErpCurrent, type DemoErpSummary } from './generate.js';

const names = { type: 'localized', columns: { en: 'name_en', fr: 'name_fr', de: 'name_de' } } as const;

/** How the SQL adapter reads the demo ERP: the same kind of configuration a user writes for their own database. */
export function demoSqlConfig(path: string, options: { referencePrice?: boolean } = {}): SqlConfigInput {
  return {
    type: 'sql',
    client: 'better-sqlite3',
    connection: { filename: path },
    deltaMarginSeconds: 0,
    streams: {
      categories: { table: 'categories', key: 'code', parent: 'parent_code', updatedAt: 'updated_at', fields: { name: names } },
      attributes: {
        table: 'attributes',
        key: 'code',
        updatedAt: 'updated_at',
        fields: { name: names, type: 'type', options: { column: 'options', type: 'multiselect', separator: '|' } },
      },
      groups: {
        table: 'templates',
        key: 'code',
        updatedAt: 'updated_at',
        categories: 'category_code',
        fields: {
          name: names,
          description: {
            type: 'localized',
            translations: { table: 'translations', key: 'record_key', language: 'lang', value: 'value', field: { column: 'field', value: 'description' } },
          },
          brand: { column: 'brand', type: 'select' },
          product_line: 'product_line',
          product_type: 'product_type',
          axes: { column: 'axes', type: 'multiselect', separator: ',' },
        },
      },
      items: {
        table: 'items',
        key: 'sku',
        updatedAt: 'updated_at',
        group: 'template_code',
        groupChanges: { table: 'templates', key: 'code', updatedAt: 'updated_at' },
        categories: { table: 'item_categories', key: 'sku', category: 'category_code' },
        active: { column: 'archived', invert: true },
        fields: {
          name: names,
          brand: { column: 'brand', type: 'select' },
          color: { column: 'color', type: 'select' },
          size: { column: 'size', type: 'select' },
          ean: 'ean',
          weight: { type: 'quantity', amount: 'weight', unit: 'weight_unit' },
          length: { type: 'quantity', amount: 'length', unit: 'dimension_unit' },
          width: { type: 'quantity', amount: 'width', unit: 'dimension_unit' },
          height: { type: 'quantity', amount: 'height', unit: 'dimension_unit' },
          ...(options.referencePrice ? { list_price: { type: 'money', amount: 'list_price', currency: 'currency' } as const } : {}),
        },
      },
    },
  };
}

export interface DemoSourceOptions {
  logger?: Logger;
  /** Read list_price as money (only when the mapping declares a reference price). */
  referencePrice?: boolean;
}

export type DemoSource = ErpSource & { readonly summary: DemoErpSummary; readonly sql: SqlSource };

export function createDemoSource(input: DemoConfig | DemoConfigInput, opts: DemoSourceOptions = {}): DemoSource {
  const config = demoConfigSchema.parse(input);
  const path = resolve(config.path);
  const summary = ensureDemoErp({ path, items: config.items, seed: config.seed });
  const sql = createSqlSource(demoSqlConfig(path, opts.referencePrice ? { referencePrice: true } : {}), {
    label: 'demo ERP',
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return {
    kind: 'demo',
    streams: sql.streams,
    summary,
    sql,
    async check() {
      const result = await sql.check();
      return {
        ...result,
        system: `Ferry demo ERP (${result.system})`,
        details: { ...result.details, items: config.items, seed: config.seed, generated: summary.generated },
      };
    },
    describe: () => sql.describe(),
    read: (stream, options) => sql.read(stream, options),
    close: () => sql.close(),
  };
}
