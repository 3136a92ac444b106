/**
 * Issue 13, point 3 for the Console: the channels' secrets (webhook secret, SMTP password,
 * Slack/Teams URL), API tokens and session ids are known to the central scrubber once the
 * server has loaded or saved them. Receivers that echo what they know (a webhook answering 500
 * with its configured secret and our request, an SMTP server quoting the password) must not
 * put those secrets into the stored delivery error, an API answer or a log line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { tempDirs } from '../sync/support/e2e.js';
import { startTestConsole, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-console-notify-secrets-');

const WEBHOOK_SECRET = 'whsec-planted-9c1e7f2b44d0';
const SMTP_PASSWORD = 'smtp-planted-pw-51aa0e3d';
const SLACK_PART = 'slack-planted-path-77b1c9e2';

/** A webhook receiver that refuses every call, echoing its configured secret, our headers and body. */
async function startEchoingReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      res.writeHead(500).end(`signature does not match secret ${WEBHOOK_SECRET}; headers ${JSON.stringify(req.headers)}; body ${raw}; path ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An SMTP server that refuses the login, quoting the password it was given. */
async function startQuotingSmtp(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(new Error(`no such user ${auth.username} with password ${auth.password}`));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Console: notification secrets, tokens and sessions never leave the process', () => {
  let tc: TestConsole;
  let hook: Awaited<ReturnType<typeof startEchoingReceiver>>;
  let smtp: Awaited<ReturnType<typeof startQuotingSmtp>>;
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    tc.server.app.inject({ method, url, headers: tc.as.admin.headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  beforeAll(async () => {
    hook = await startEchoingReceiver();
    smtp = await startQuotingSmtp();
    tc = await startTestConsole(tempDir(), { console: { logger, send: { attempts: 2, backoffMs: 5, timeoutMs: 3000 } } });
  });
  afterAll(async () => {
    await tc?.close();
    await hook?.close();
    await smtp?.close();
  });

  it('a failing webhook, SMTP server and Slack URL that echo the secrets leave none in deliveries, answers or logs', async () => {
    const answers: string[] = [];
    const keep = <T extends { body: string }>(res: T): T => {
      answers.push(res.body);
      return res;
    };
    const webhook = keep(await api('POST', '/api/v1/channels', { type: 'webhook', name: 'echo', url: hook.url, secret: WEBHOOK_SECRET }));
    expect(webhook.statusCode, webhook.body).toBe(201);
    const mail = keep(
      await api('POST', '/api/v1/channels', { type: 'email', name: 'quoting', host: '127.0.0.1', port: smtp.port, secure: false, username: 'julia', password: SMTP_PASSWORD, from: 'ferry@shop.test', to: ['julia@shop.test'] }),
    );
    expect(mail.statusCode, mail.body).toBe(201);
    const slack = keep(await api('POST', '/api/v1/channels', { type: 'slack', name: 'slack', url: `${hook.url.replace('http:', 'https:')}/T000/${SLACK_PART}` }));
    expect(slack.statusCode, slack.body).toBe(201);
    const ids = [webhook, mail, slack].map((r) => (r.json() as { id: number }).id);

    for (const id of ids) {
      const test = keep(await api('POST', `/api/v1/channels/${id}/test`));
      expect(test.statusCode, test.body).toBe(200);
      expect(test.json()).toMatchObject({ ok: false });
      const deliveries = keep(await api('GET', `/api/v1/channels/${id}/deliveries`));
      const items = (deliveries.json() as { items: { ok: boolean; error: string | null }[] }).items;
      expect(items[0]).toMatchObject({ ok: false });
      // The failure is still explained (status and what the receiver said), only without the secret.
      expect(items[0]!.error).toBeTruthy();
    }
    const webhookError = (keep(await api('GET', `/api/v1/channels/${ids[0]}/deliveries`)).json() as { items: { error: string }[] }).items[0]!.error;
    expect(webhookError).toContain('signature does not match secret [redacted]');
    keep(await api('GET', '/api/v1/channels'));
    // An error answer quoting the secrets (a bad update) passes the scrubber too.
    keep(await api('PUT', `/api/v1/channels/${ids[0]}`, { type: 'webhook', name: 'echo', url: `not a url ${WEBHOOK_SECRET}`, secret: WEBHOOK_SECRET }));
    keep(await api('POST', '/api/v1/channels', { type: 'email', name: 'x', host: '127.0.0.1', port: SMTP_PASSWORD, password: SMTP_PASSWORD }));

    // API token and session id: known to the scrubber once created or used.
    const created = keep(await api('POST', '/api/v1/tokens', { name: 'ci' }));
    const token = created.statusCode === 201 ? (created.json() as { token: string }).token : null;
    answers.pop(); // the one answer that must show the token, once
    const sessionId = /ferry_session=([^;]+)/.exec(tc.as.admin.cookie)?.[1] ?? tc.as.admin.cookie.split('=')[1]!.split(';')[0]!;
    // Any code path that logs an echoed error carries the secrets to the log: the logger must strip them.
    logger.warn({ err: `echo ${WEBHOOK_SECRET} ${SMTP_PASSWORD} ${SLACK_PART} ${token ?? ''} ${sessionId}` }, 'a receiver echoed our request');

    const planted = [WEBHOOK_SECRET, SMTP_PASSWORD, SLACK_PART, sessionId, ...(token ? [token] : [])];
    const logText = lines.join('');
    expect(logText).toContain('a receiver echoed our request');
    for (const secret of planted) {
      for (const body of answers) expect(body, `an answer holds ${secret}`).not.toContain(secret);
      expect(logText, `the log holds ${secret}`).not.toContain(secret);
    }
    const stored = tc.server.ctx.db.prepare('SELECT error FROM console_deliveries').all() as { error: string | null }[];
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const row of stored) for (const secret of planted) expect(row.error ?? '').not.toContain(secret);
  });
});
