/** Several connections in one deployment (src/config/deployment.ts): one file, a folder of files, and what is refused. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionChoiceError, connectionConfig, loadDeployment, resolveConnection } from '../../src/config/deployment.js';
import { ConfigError } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-deployment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PIM = (url: string) => `{ url: ${url}, clientId: c, secret: s, username: u, password: p }`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('a deployment file', () => {
  const file = write(
    'one-file/ferry.yaml',
    [
      'connections:',
      '  shop-a:',
      `    pim: ${PIM('https://pim-a.example')}`,
      '    erp: { type: demo, path: ./a.sqlite }',
      '  shop-b:',
      `    pim: ${PIM('https://pim-b.example')}`,
      '    erp: { type: demo, path: ./b.sqlite }',
      '    state: { url: "postgres://u@127.0.0.1:5432/ferry" }',
      '  shop-c: ./c/ferry.yaml',
      '',
    ].join('\n'),
  );
  write('one-file/c/ferry.yaml', `pim: ${PIM('https://pim-c.example')}\nerp: { type: demo, path: ./c.sqlite }\nstate: { path: ./own.db }\n`);

  it('holds several connections, inline or in their own file, each with its own state', async () => {
    const d = (await loadDeployment(file))!;
    expect(d.connections.map((c) => c.name)).toEqual(['shop-a', 'shop-b', 'shop-c']);
    expect(d.usersPath).toBe(join(dir, 'one-file/data/console.db'));
    const a = connectionConfig(d.connections[0]!);
    expect(a.pim.url).toBe('https://pim-a.example');
    // Not set: ./data/<name>.db beside the deployment file; a relative ERP path is relative to it too.
    expect(a.state.path).toBe(join(dir, 'one-file/data/shop-a.db'));
    expect(a.erp).toMatchObject({ path: join(dir, 'one-file/a.sqlite') });
    // PostgreSQL without a schema: one schema per connection.
    expect(connectionConfig(d.connections[1]!).state).toMatchObject({ driver: 'postgres', schema: 'ferry_shop_b' });
    // Its own file: relative to that file, its own state as written.
    const c = connectionConfig(d.connections[2]!);
    expect(c.state.path).toBe(join(dir, 'one-file/c/own.db'));
    expect(c.erp).toMatchObject({ path: join(dir, 'one-file/c/c.sqlite') });
  });

  it('needs --connection when it holds several, and names them when it is missing or unknown', async () => {
    await expect(resolveConnection(file)).rejects.toThrow(ConnectionChoiceError);
    await expect(resolveConnection(file)).rejects.toThrow(/holds 3 connections \(shop-a, shop-b, shop-c\); say which with --connection NAME/);
    await expect(resolveConnection(file, 'shop-z')).rejects.toThrow(/has no connection "shop-z"; its connections are: shop-a, shop-b, shop-c/);
    expect((await resolveConnection(file, 'shop-b')).keyPrefix).toBe('connections.shop-b');
  });

  it('an ordinary ferry.yaml is one connection, unchanged, and refuses --connection', async () => {
    const single = write('single/ferry.yaml', `pim: ${PIM('https://pim.example')}\nerp: { type: demo, path: ./d.sqlite }\n`);
    expect(await loadDeployment(single)).toBeNull();
    const src = await resolveConnection(single);
    expect(src.name).toBeNull();
    expect(connectionConfig(src).state.path).toBe(join(dir, 'single/data/ferry.db'));
    await expect(resolveConnection(single, 'x')).rejects.toThrow(/--connection x given, but this ferry.yaml holds one connection/);
  });

  it("an invalid inline connection's problems name its key path; the others still load", async () => {
    const bad = write(
      'bad/ferry.yaml',
      ['connections:', '  good:', `    pim: ${PIM('https://pim.example')}`, '    erp: { type: demo, path: ./a.sqlite }', '  broken:', '    pim: { url: not-a-url, token: t }', '    erp: { type: nope }', ''].join('\n'),
    );
    const d = (await loadDeployment(bad))!;
    expect(() => connectionConfig(d.connections[1]!)).toThrow(ConfigError);
    try {
      connectionConfig(d.connections[1]!);
    } catch (err) {
      const paths = (err as ConfigError).problems.map((p) => p.path);
      expect(paths).toContain('connections.broken.pim.url');
      expect(paths.some((p) => p.startsWith('connections.broken.erp'))).toBe(true);
    }
    expect(connectionConfig(d.connections[0]!).pim.url).toBe('https://pim.example');
  });

  it('refuses a bad name and two connections on one state, naming both', async () => {
    const names = write('names/ferry.yaml', ['connections:', '  Shop A:', `    pim: ${PIM('https://pim.example')}`, '    erp: { type: demo }', ''].join('\n'));
    await expect(loadDeployment(names)).rejects.toThrow(/connections\.Shop A: "Shop A" is not a connection name; use lower-case letters/);
    const shared = write(
      'shared/ferry.yaml',
      [
        'connections:',
        '  a: { pim: ' + PIM('https://p.example') + ', erp: { type: demo }, state: { path: ./same.db } }',
        '  b: { pim: ' + PIM('https://p.example') + ', erp: { type: demo }, state: { path: ./same.db } }',
        '',
      ].join('\n'),
    );
    await expect(loadDeployment(shared)).rejects.toThrow(/connections\.b\.state: the same state as connections\.a\.state; give each connection its own state\.path/);
  });
});

describe('a folder of files', () => {
  const file = write('folder/ferry.yaml', 'connections: ./connections\nusers: { path: ./users.db }\n');
  write('folder/connections/north.yaml', `pim: ${PIM('https://north.example')}\nerp: { type: demo, path: ./north.sqlite }\n`);
  write('folder/connections/south.yml', `pim: ${PIM('https://south.example')}\nerp: { type: demo, path: ./south.sqlite }\n`);
  write('folder/connections/README.txt', 'not a connection');

  it('makes each <name>.yaml one connection, each with its own state beside its file', async () => {
    const d = (await loadDeployment(file))!;
    expect(d.connections.map((c) => c.name)).toEqual(['north', 'south']);
    expect(d.usersPath).toBe(join(dir, 'folder/users.db'));
    const south = await resolveConnection(file, 'south');
    expect(south.file).toBe(join(dir, 'folder/connections/south.yml'));
    expect(connectionConfig(south).state.path).toBe(join(dir, 'folder/connections/data/south.db'));
  });

  it("an invalid file's problems name that file", async () => {
    write('folder2/ferry.yaml', 'connections: ./c\n');
    write('folder2/c/ok.yaml', `pim: ${PIM('https://ok.example')}\nerp: { type: demo }\n`);
    write('folder2/c/wrong.yaml', `pim: ${PIM('https://ok.example')}\nerp: { type: demo }\nsync: { bogus: 1 }\n`);
    const src = await resolveConnection(join(dir, 'folder2/ferry.yaml'), 'wrong');
    expect(() => connectionConfig(src)).toThrow(/wrong\.yaml: 1 problem[\s\S]*sync\.bogus: unknown key/);
  });

  it('says so when the folder is missing or empty', async () => {
    const missing = write('folder3/ferry.yaml', 'connections: ./nowhere\n');
    await expect(loadDeployment(missing)).rejects.toThrow(/connections: the folder .*nowhere cannot be read \(ENOENT\)/);
  });
});
