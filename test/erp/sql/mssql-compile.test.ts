/**
 * SQL Server: no server runs in CI, so these tests check the statements knex compiles for it —
 * quoted identifiers, bound values, exact decimals read as text, MERGE for upserts.
 */
import knexFactory from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { fieldSpecs } from '../../../src/erp/sql/fields.js';
import { buildSelect } from '../../../src/erp/sql/read.js';
import { mssqlMergeStatement } from '../../../src/erp/sql/sink.js';
import { sqlStreamSchema } from '../../../src/erp/sql/config.js';
import { deltaWindow } from '../../../src/erp/common/index.js';

const knex = knexFactory({ client: 'mssql' });
afterAll(() => knex.destroy());

describe('SQL Server statements (compiled, no server)', () => {
  const config = sqlStreamSchema.parse({
    table: 'dbo.Items',
    key: 'Sku',
    updatedAt: 'ModifiedDate',
    group: 'ModelId',
    groupChanges: { table: 'dbo.Models', key: 'ModelId', updatedAt: 'ModifiedDate' },
    fields: {
      price: { column: 'ListPrice', type: 'decimal' },
      weight: { type: 'quantity', amount: 'Weight', unit: 'WeightUnit' },
      name: 'Name',
    },
  });

  it('selects with quoted identifiers, bound values, decimals cast to text, delta over item and group', () => {
    const q = buildSelect(
      { knex, client: 'mssql', name: 'items', config, batchSize: 100, deltaMarginSeconds: 60 },
      fieldSpecs(config),
      { window: deltaWindow('2024-05-01T12:00:00Z', 60), keys: ["x'; drop table t; --"], limit: 10 },
    );
    const { sql, bindings } = q.toSQL().toNative();
    expect(sql).toContain('CAST([t].[ListPrice] AS varchar(64)) AS [ListPrice]');
    expect(sql).toContain('CAST([t].[Weight] AS varchar(64)) AS [Weight]');
    expect(sql).toContain('left join [dbo].[Models] as [g] on [t].[ModelId] = [g].[ModelId]');
    expect(sql).toMatch(/\[t\]\.\[ModifiedDate\] >= @p\d.*or.*\[g\]\.\[ModifiedDate\] >= @p\d/);
    expect(sql).not.toContain('drop table');
    expect(bindings).toContain("x'; drop table t; --");
    expect(bindings.filter((b) => b instanceof Date).map((d) => (d as Date).toISOString())).toEqual(['2024-05-01T11:59:00.000Z', '2024-05-01T11:59:00.000Z']);
  });

  it('upserts with MERGE, values bound, identifiers quoted', () => {
    const { sql, bindings } = mssqlMergeStatement('dbo.Items', 'Sku', { Sku: "O'Brien", Name: 'Chair', ListPrice: '12.50' });
    const compiled = knex.raw(sql, bindings).toSQL().toNative();
    expect(compiled.sql).toBe(
      'MERGE INTO [dbo].[Items] WITH (HOLDLOCK) AS t USING (VALUES (@p0, @p1, @p2)) AS s ([Sku], [Name], [ListPrice]) ON t.[Sku] = s.[Sku] ' +
        'WHEN MATCHED THEN UPDATE SET t.[Name] = s.[Name], t.[ListPrice] = s.[ListPrice] ' +
        'WHEN NOT MATCHED THEN INSERT ([Sku], [Name], [ListPrice]) VALUES (s.[Sku], s.[Name], s.[ListPrice]);',
    );
    expect(compiled.bindings).toEqual(["O'Brien", 'Chair', '12.50']);
  });
});
