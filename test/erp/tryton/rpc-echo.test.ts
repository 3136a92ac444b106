/**
 * A server at erp.url that answers the login with a non-JSON page echoing the request (a
 * misconfigured proxy, a debug page) must not put the password into the error: it travels to
 * stdout, --json and the state DB's run report from there.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpError } from '../../../src/erp/port.js';
import { TrytonRpc } from '../../../src/erp/tryton/rpc.js';

describe('Tryton JSON-RPC client: a login answered by a page echoing the request', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${body}</html>`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it.each(['hunter2-echoed-pw', 'quo"ted\\pw-echo', 'a-very-long-password-that-the-120-character-excerpt-would-cut-in-the-middle-0123456789'])('keeps the password %s out of the error', async (password) => {
    const rpc = new TrytonRpc({ url, database: 'erp', username: 'admin', password });
    const error = (await rpc.login().catch((e: unknown) => e)) as ErpError;
    expect(error).toBeInstanceOf(ErpError);
    expect(error.message).toContain('answered common.db.login with something that is not JSON');
    const escaped = JSON.stringify(password).slice(1, -1);
    for (const form of [password, escaped, JSON.stringify(escaped).slice(1, -1), password.slice(0, 12)]) expect(error.message).not.toContain(form);
  });
});
