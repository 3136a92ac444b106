/**
 * Secrets never leave the process: a unique secret is planted in every configurable secret
 * field (PIM secret and password, App token, Tryton password, SQL password in the connection
 * object and in a connection URL, an image URL's password, a signed image URL's signature and
 * token), then full runs of the real CLI — success, failure, unreachable hosts, servers that
 * echo the request in an error page — and every output channel (stdout, stderr with debug
 * logs, --json, `ferry runs show --json`, rejects CSV) and every file they leave (the state
 * DB and its WAL) are searched for each secret, in clear, JSON-escaped and base64.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { clientFor } from '../sync/support/pim.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

const plant = (field: string) => `Pl4nt${field}${randomBytes(8).toString('hex')}`;
const SECRETS = {
  pimSecret: plant('PimSecret'),
  pimPassword: plant('PimPassword'),
  appToken: plant('AppToken'),
  trytonPassword: plant('TrytonPassword'),
  sqlPassword: plant('SqlPassword'),
  sqlUrlPassword: plant('SqlUrlPassword'),
  imagePassword: plant('ImagePassword'),
  imageSignature: plant('ImageSignature'),
  imageToken: plant('ImageToken'),
};

/** Every form a secret could leak in. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64').slice(0, 16), encodeURIComponent(secret)];
}

function ferry(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'debug', FERRY_DEBUG: '1', ...Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`PLANT_${k.toUpperCase()}`, v])) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, out })));
}

/** Every file under a folder, as bytes decoded as latin1 (so a secret in a binary DB page is found). */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [p, t] of filesUnder(path)) out.set(p, t);
    else out.set(path, readFileSync(path).toString('latin1'));
  }
  return out;
}

function expectNoSecret(where: string, text: string): void {
  for (const [field, secret] of Object.entries(SECRETS)) {
    for (const form of forms(secret)) {
      if (text.includes(form)) throw new Error(`${field} leaked into ${where}: …${text.slice(Math.max(0, text.indexOf(form) - 200), text.indexOf(form) + 60)}…`);
    }
  }
}

describe('planted secrets never leave the process', () => {
  let sb: RunningSandbox;
  let dir: string;
  let images: Server;
  let echo: Server;
  let imageBase = '';
  let echoUrl = '';
  const outputs: [string, string][] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-plant-'));
    sb = await startSandbox({ catalog: 'demo', clientId: 'plant', secret: SECRETS.pimSecret, username: 'plant', password: SECRETS.pimPassword });
    images = createServer((req, res) => {
      if (req.url?.startsWith('/denied')) return void res.writeHead(403, { 'content-type': 'text/html' }).end(`<p>denied ${req.url} ${req.headers.authorization ?? ''}</p>`);
      res.writeHead(200, { 'content-type': 'image/png' }).end(randomBytes(64));
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
    imageBase = `127.0.0.1:${(images.address() as AddressInfo).port}`;
    // A misconfigured proxy: answers everything with a page that echoes the whole request.
    echo = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        // Tryton's version call gets a real answer, so the client goes on to log in.
        if (body.includes('common.server.version')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":0,"result":"6.0.0"}');
        // Tryton's login gets a 200 page (its client reads it); the PIM gets a 403 page (an error excerpt is shown).
        const status = req.url?.startsWith('/api/') ? 403 : 200;
        res.writeHead(status, { 'content-type': 'text/html' }).end(`<html>echo ${body} ${req.headers.authorization ?? ''} ${req.method} ${req.url} ${JSON.stringify(req.headers)}</html>`);
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;

    const cfg = ferryConfigSchema.parse({
      pim: { url: sb.url, clientId: 'x', secret: 'x', username: 'x', password: 'x' },
      erp: { type: 'files', folder: join(dir, 'drop'), format: 'csv', streams: { items: { pattern: 'items*.csv', key: 'sku', fields: { ean: 'ean', image: 'image' } } } },
      mapping: { attributes: { ean: { type: 'text' }, packshot: { type: 'image', from: 'image' } } },
    });
    mkdirSync(join(dir, 'drop'));
    writeFileSync(join(dir, 'drop', 'items.csv'), 'sku,ean,image\n');
    const source = createErpSource(cfg.erp);
    const client = clientFor(sb);
    await bootstrapPim(client, cfg.mapping, source);
    await source.close();
    await client.close();
  }, 60_000);

  afterAll(async () => {
    await sb?.close();
    for (const s of [images, echo]) {
      s?.closeAllConnections();
      await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const pimConnection = (url: string) => ['pim:', `  url: ${url}`, '  clientId: plant', '  secret: ${PLANT_PIMSECRET}', '  username: plant', '  password: ${PLANT_PIMPASSWORD}'];
  const filesErp = (folder: string) => [
    'erp:',
    '  type: files',
    `  folder: ${folder}`,
    '  format: csv',
    '  streams:',
    '    items:',
    "      pattern: 'items*.csv'",
    '      key: sku',
    '      fields: { ean: ean, image: image }',
  ];
  const tail = (name: string) => [
    'mapping:',
    '  attributes:',
    '    ean: { type: text }',
    '    packshot: { type: image, from: image }',
    'state:',
    `  path: ${join(dir, `${name}.db`)}`,
    'sync:',
    `  mediaHosts: ['127.0.0.1']`,
    '',
  ];
  const write = (name: string, lines: string[]) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, lines.join('\n'));
    return file;
  };
  const run = async (label: string, args: string[]) => {
    const r = await ferry(args, dir);
    outputs.push([`${label}: ferry ${args.join(' ')}`, r.out]);
    return r;
  };

  it('a successful run with private and signed image URLs, and a failing one', async () => {
    const folder = join(dir, 'ok-drop');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'items.csv'),
      [
        'sku,ean,image',
        `PL-1,4006381333931,http://plant:${SECRETS.imagePassword}@${imageBase}/a.png`,
        `PL-2,4006381333948,http://${imageBase}/b.png?X-Amz-Signature=${SECRETS.imageSignature}&token=${SECRETS.imageToken}&w=1`,
        `PL-3,4006381333955,http://plant:${SECRETS.imagePassword}@${imageBase}/denied/c.png?sig=${SECRETS.imageSignature}`,
        '',
      ].join('\n'),
    );
    const config = write('ok', [...pimConnection(sb.url), ...filesErp(folder), ...tail('ok')]);
    const first = await run('success', ['sync', '--config', config, '--json', '--full']);
    expect(first.out).toContain('"status"');
    expect(first.code).toBe(2); // PL-3 rejected (403)
    await run('success', ['sync', '--config', config, '--full']);
    await run('success', ['runs', '--config', config, '--json']);
    await run('success', ['runs', 'show', '1', '--config', config, '--json']);
    await run('success', ['runs', 'show', '1', '--config', config, '--rejects']);
    await run('success', ['runs', 'show', '1', '--config', config]);
    await run('success', ['pim', 'check', '--config', config, '--json']);
    // Wrong PIM credentials: the planted ones are not the sandbox's.
    const wrong = write('wrong', [...pimConnection(sb.url).map((l) => l.replace('clientId: plant', 'clientId: other')), ...filesErp(folder), ...tail('wrong')]);
    const refused = await run('failure', ['sync', '--config', wrong, '--json']);
    expect(refused.code).toBe(1);
    await run('failure', ['pim', 'check', '--config', wrong]);
    // A config that does not validate still has its secrets redacted.
    const bad = write('bad', [...pimConnection(sb.url), '  timeoutMs: ${PLANT_PIMSECRET}', ...filesErp(folder), ...tail('bad')]);
    const invalid = await run('failure', ['config', 'validate', '--config', bad]);
    expect(invalid.code).toBe(1);
  }, 300_000);

  it('unreachable hosts: PIM, SQL (password in the object and in a URL), Tryton', async () => {
    const closedPort = 9; // discard: nothing listens
    const sqlObj = write('sql-obj', [
      ...pimConnection(`http://127.0.0.1:${closedPort}`),
      'erp:',
      '  type: sql',
      '  client: pg',
      `  connection: { host: 127.0.0.1, port: ${closedPort}, user: plant, password: '\${PLANT_SQLPASSWORD}', database: plant }`,
      '  streams:',
      '    items: { table: items, key: sku }',
      ...tail('sql-obj'),
    ]);
    await run('unreachable', ['sync', '--config', sqlObj, '--json']);
    await run('unreachable', ['erp', 'check', '--config', sqlObj]);
    await run('unreachable', ['pim', 'check', '--config', sqlObj, '--json']);
    const sqlUrl = write('sql-url', [
      ...pimConnection(sb.url),
      'erp:',
      '  type: sql',
      '  client: pg',
      `  connection: 'postgres://plant:\${PLANT_SQLURLPASSWORD}@127.0.0.1:${closedPort}/plant'`,
      '  streams:',
      '    items: { table: items, key: sku }',
      ...tail('sql-url'),
    ]);
    await run('unreachable', ['sync', '--config', sqlUrl, '--json']);
    await run('unreachable', ['erp', 'check', '--config', sqlUrl, '--json']);
    const tryton = write('tryton-down', [
      ...pimConnection(sb.url),
      'erp:',
      '  type: tryton',
      `  url: http://127.0.0.1:${closedPort}`,
      '  database: plant',
      '  username: admin',
      '  password: ${PLANT_TRYTONPASSWORD}',
      ...tail('tryton-down'),
    ]);
    await run('unreachable', ['sync', '--config', tryton, '--json']);
    await run('unreachable', ['erp', 'check', '--config', tryton]);
    const app = write('app-down', ['pim:', `  url: http://127.0.0.1:${closedPort}`, '  token: ${PLANT_APPTOKEN}', ...filesErp(join(dir, 'drop')), ...tail('app-down')]);
    await run('unreachable', ['pim', 'check', '--config', app]);
    await run('unreachable', ['sync', '--config', app]);
  }, 400_000);

  it('servers that echo the request in an error page: the PIM token endpoint, a Tryton login, an App call', async () => {
    const pimEcho = write('pim-echo', [...pimConnection(echoUrl), ...filesErp(join(dir, 'drop')), ...tail('pim-echo')]);
    const pe = await run('echo', ['sync', '--config', pimEcho, '--json']);
    expect(pe.out).toContain('HTTP 403: echo');
    expect(pe.out).toContain('[redacted]');
    await run('echo', ['pim', 'check', '--config', pimEcho]);
    const trytonEcho = write('tryton-echo', [
      ...pimConnection(sb.url),
      'erp:',
      '  type: tryton',
      `  url: ${echoUrl}`,
      '  database: plant',
      '  username: admin',
      '  password: ${PLANT_TRYTONPASSWORD}',
      ...tail('tryton-echo'),
    ]);
    const tr = await run('echo', ['sync', '--config', trytonEcho, '--json']);
    expect(tr.out).toContain('answered common.db.login with something that is not JSON');
    expect(tr.out).toContain('[redacted]');
    await run('echo', ['erp', 'check', '--config', trytonEcho, '--json']);
    await run('echo', ['sync', '--config', trytonEcho]);
    const appEcho = write('app-echo', ['pim:', `  url: ${echoUrl}`, '  token: ${PLANT_APPTOKEN}', ...filesErp(join(dir, 'drop')), ...tail('app-echo')]);
    await run('echo', ['pim', 'check', '--config', appEcho, '--json']);
    await run('echo', ['sync', '--config', appEcho, '--json']);
  }, 400_000);

  it('no output and no file holds any planted secret; the state DBs are owner-only', () => {
    expect(outputs.length).toBeGreaterThan(20);
    if (process.env.PLANT_DUMP) writeFileSync(process.env.PLANT_DUMP, outputs.map(([w, t]) => `=== ${w}\n${t}`).join('\n'));
    for (const [where, text] of outputs) expectNoSecret(where, text);
    const files = filesUnder(dir);
    const dbs = [...files.keys()].filter((f) => f.endsWith('.db'));
    expect(dbs.length).toBeGreaterThan(3);
    for (const db of dbs) expect(statSync(db).mode & 0o777).toBe(0o600);
    // The ERP's own input files hold the image URLs as the ERP wrote them; everything else is Ferry's.
    for (const [path, text] of files) if (!path.endsWith('.yaml') && !path.endsWith('.csv')) expectNoSecret(path, text);
  });
});
