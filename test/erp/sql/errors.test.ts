/** Whole-source failures name what is wrong and never the password. */
import { describe, expect, it } from 'vitest';
import { createSqlSource } from '../../../src/erp/sql/index.js';
import { ErpError } from '../../../src/erp/port.js';
import { mariadbProblem, pgProblem, serviceGate } from './databases.js';

const SECRET = 'hunter2-very-secret';
const pgUp = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
const mariaUp = serviceGate('MariaDB (127.0.0.1:3306)', await mariadbProblem());

async function firstError(source: ReturnType<typeof createSqlSource>): Promise<unknown> {
  try {
    for await (const _ of source.read('items')) break;
  } catch (err) {
    return err;
  } finally {
    await source.close();
  }
  return undefined;
}

const items = { items: { table: 'items', key: 'sku', fields: {} } };

describe('SQL adapter errors', () => {
  it('an unreachable server names host and port', async () => {
    const source = createSqlSource({ type: 'sql', client: 'pg', connection: { host: '127.0.0.1', port: 1, user: 'erp', password: SECRET, database: 'x' }, streams: items });
    const check = await source.check();
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toContain('PostgreSQL at 127.0.0.1:1');
    const err = await firstError(createSqlSource({ type: 'sql', client: 'mysql2', connection: `mysql://erp:${SECRET}@127.0.0.1:2/x`, streams: items }));
    expect(err).toBeInstanceOf(ErpError);
    expect((err as ErpError).code).toBe('unreachable');
    expect((err as ErpError).message).toContain('127.0.0.1:2');
    expect((err as ErpError).message).not.toContain(SECRET);
  });

  it('a missing SQLite file is named', () => {
    const source = createSqlSource({ type: 'sql', client: 'better-sqlite3', connection: { filename: '/nonexistent/erp.sqlite' }, streams: items });
    return expect(source.check()).resolves.toMatchObject({ ok: false, problems: [expect.stringContaining('/nonexistent/erp.sqlite')] });
  });

  it('a bad configuration is refused up front with the key to fix', () => {
    expect(() => createSqlSource({ type: 'sql', client: 'pg', connection: {}, streams: { items: { key: 'sku', fields: {} } } } as never)).toThrow(/erp\.streams\.items.*table.*query/);
  });

  it.skipIf(!pgUp)('PostgreSQL: a refused login names the user, not the password; a missing database is named', async () => {
    const err = await firstError(
      createSqlSource({ type: 'sql', client: 'pg', connection: { host: '127.0.0.1', port: 5432, user: 'ferry_no_such_role', password: SECRET, database: 'postgres' }, streams: items }),
    );
    expect((err as ErpError).code).toBe('auth');
    expect((err as Error).message).toContain('"ferry_no_such_role"');
    expect((err as Error).message).not.toContain(SECRET);
    const noDb = await firstError(
      createSqlSource({ type: 'sql', client: 'pg', connection: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'ferry_no_such_db' }, streams: items }),
    );
    expect((noDb as ErpError).code).toBe('config');
    expect((noDb as Error).message).toContain('"ferry_no_such_db"');
  });

  it.skipIf(!mariaUp)('MariaDB: a refused login names the user, not the password', async () => {
    const err = await firstError(
      createSqlSource({ type: 'sql', client: 'mysql2', connection: { host: '127.0.0.1', port: 3306, user: 'ferry_nobody', password: SECRET }, streams: items }),
    );
    expect((err as ErpError).code).toBe('auth');
    expect((err as Error).message).toContain('"ferry_nobody"');
    expect((err as Error).message).toContain('127.0.0.1:3306');
    expect((err as Error).message).not.toContain(SECRET);
  });
});
