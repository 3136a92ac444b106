/**
 * SQL transport security: SQL Server verifies the server certificate unless a connection opts
 * out (with a warning), and the driver's own messages reach the person as what they say, not
 * as a bare "knex".
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sqlConfigSchema } from '../../../src/erp/sql/config.js';
import { createKnex, knexConfig } from '../../../src/erp/sql/dialect.js';
import { createLogger } from '../../../src/logging.js';

function capture(): { logger: ReturnType<typeof createLogger>; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: createLogger({ level: 'debug' }, stream), lines };
}

const mssql = (connection: unknown) => sqlConfigSchema.parse({ type: 'sql', client: 'mssql', connection, streams: { items: { table: 'Items', key: 'Sku' } } });
const options = (cfg: ReturnType<typeof mssql>) => (knexConfig(cfg).connection as { options: Record<string, unknown> }).options;

describe('SQL Server certificates', () => {
  it('are verified by default (object and URL connections)', () => {
    expect(options(mssql({ host: 'db.example', user: 'u', password: 'p', database: 'erp' }))).toMatchObject({ encrypt: true, trustServerCertificate: false });
    expect(options(mssql('mssql://u:p@db.example:1433/erp'))).toMatchObject({ encrypt: true, trustServerCertificate: false });
  });

  it('a connection may opt out, and is warned', async () => {
    const cfg = mssql({ host: 'db.example', user: 'u', password: 'p', database: 'erp', options: { trustServerCertificate: true } });
    expect(options(cfg)).toMatchObject({ trustServerCertificate: true });
    expect(options(mssql('mssql://u:p@db.example:1433/erp?trustServerCertificate=true'))).toMatchObject({ trustServerCertificate: true });
    const { logger, lines } = capture();
    const knex = createKnex(cfg, logger);
    await knex.destroy();
    expect(lines.find((l) => l.level === 40)?.msg).toMatch(/^SQL Server: the server certificate is not verified \(trustServerCertificate: true\); a man in the middle could read the password/);
    const quiet = capture();
    await createKnex(mssql({ host: 'db.example', user: 'u', password: 'p', database: 'erp' }), quiet.logger).destroy();
    expect(quiet.lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});

describe("the SQL driver's messages", () => {
  it('say what happened, secrets scrubbed', async () => {
    const { logger, lines } = capture();
    const cfg = sqlConfigSchema.parse({ type: 'sql', client: 'pg', connection: { host: '127.0.0.1', port: 9, user: 'u', password: 'pw-unique-4711', database: 'x' }, connectTimeoutMs: 500, streams: {} });
    const knex = createKnex(cfg, logger);
    await knex.raw('select 1').catch(() => undefined);
    await knex.destroy();
    const warning = lines.find((l) => l.level >= 40);
    expect(warning?.msg).toMatch(/^SQL driver \(PostgreSQL\): .*ECONNREFUSED/);
    expect(JSON.stringify(lines)).not.toContain('pw-unique-4711');
  });
});
