/**
 * Notifications end to end: a real SMTP server (smtp-server) and a local webhook receiver
 * that checks the HMAC signature; each rule fired by a real run (sandbox PIM + demo ERP +
 * the engine) started through the API; a failing channel retried, reported, and never
 * failing the run. Also: cancelling a run from the Console, and the next run resuming it.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole } from '../../src/server/app.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { tempDirs } from '../sync/support/e2e.js';
import { consoleStateKinds, editErp, rejectingEan, runThroughApi, signIn, silent, startTestConsole, type TestConsole } from './support.js';

const stateKinds = await consoleStateKinds();
const tempDir = tempDirs('ferry-console-notify-');

interface Mail {
  to: string[];
  raw: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Hook {
  body: Record<string, unknown>;
  signatureOk: boolean;
}

/** A webhook receiver: checks X-Ferry-Signature with the secret it is told; fails the first `failFirst` calls. */
async function startReceiver(): Promise<{ url: string; hooks: Hook[]; secret: { value: string }; failFirst: { n: number }; close: () => Promise<void> }> {
  const hooks: Hook[] = [];
  const secret = { value: '' };
  const failFirst = { n: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (failFirst.n > 0) {
        failFirst.n--;
        res.writeHead(500).end('not now');
        return;
      }
      const expected = `sha256=${createHmac('sha256', secret.value).update(raw).digest('hex')}`;
      hooks.push({ body: JSON.parse(raw) as Record<string, unknown>, signatureOk: req.headers['x-ferry-signature'] === expected });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, hooks, secret, failFirst, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function mailText(m: Mail): string {
  // Quoted-printable: soft line breaks out, =XX escapes back to UTF-8 bytes.
  const joined = m.raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = /^=([0-9A-F]{2})/.exec(joined.slice(i, i + 3));
    if (hex) {
      bytes.push(parseInt(hex[1]!, 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

describe.each(stateKinds)('notifications from real runs on a $name state', (kind) => {
  let tc: TestConsole;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let clockOffset = 0;
  let mailChannel: number;
  let hookChannel: number;
  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    tc.server.app.inject({ method, url, headers: tc.as.admin.headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const rule = async (kind: string, threshold: number | null, channels: number[]) => {
    const res = await api('POST', '/api/v1/rules', { kind, threshold, channelIds: channels });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: number }).id;
  };
  const hooksOf = (event: string) => hook.hooks.filter((h) => h.body.event === event);

  beforeAll(async () => {
    smtp = await startSmtp();
    hook = await startReceiver();
    tc = await startTestConsole(tempDir(), {
      mapping: rejectingEan,
      sandbox: { latency: '5ms+3ms/line' },
      console: { clock: () => Date.now() + clockOffset },
      state: kind,
    });
    const mail = await api('POST', '/api/v1/channels', { type: 'email', name: 'Julia', host: '127.0.0.1', port: smtp.port, secure: false, from: 'ferry@shop.test', to: ['julia@shop.test'] });
    mailChannel = (mail.json() as { id: number }).id;
    const created = await api('POST', '/api/v1/channels', { type: 'webhook', name: 'CI', url: hook.url });
    const body = created.json() as { id: number; secretOnce: string };
    hookChannel = body.id;
    hook.secret.value = body.secretOnce;
  });
  afterAll(async () => {
    await tc?.close();
    await smtp?.close();
    await hook?.close();
  });

  it('Send test: an e-mail reaches the SMTP server; a webhook arrives signed', async () => {
    const mail = await api('POST', `/api/v1/channels/${mailChannel}/test`);
    expect(mail.json()).toEqual({ ok: true, attempts: 1, error: null });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['julia@shop.test']);
    expect(smtp.mails[0]!.raw).toContain('Subject: Ferry: test message');
    const test = await api('POST', `/api/v1/channels/${hookChannel}/test`);
    expect(test.json()).toMatchObject({ ok: true });
    expect(hooksOf('test')).toHaveLength(1);
    expect(hooksOf('test')[0]!.signatureOk).toBe(true);
  });

  it('rejects ≥ N and ≥ X %: a run with rejects notifies by e-mail (with the fix and the link) and by webhook', async () => {
    await rule('rejects_count', 1, [mailChannel]);
    await rule('rejects_percent', 1, [hookChannel]);
    await rule('rejects_count', 100_000, [mailChannel]); // never reached
    const before = smtp.mails.length;
    const { runId } = await runThroughApi(tc, { mode: 'full' });
    const run = (await api('GET', `/api/v1/runs/${runId}`)).json() as { run: { status: string; counts: { rejected: number } } };
    expect(run.run.status).toBe('rejects');
    expect(smtp.mails.length).toBe(before + 1);
    const text = mailText(smtp.mails.at(-1)!);
    expect(text).toContain(`Subject: Ferry: run #${runId} rejected ${run.run.counts.rejected} records`);
    expect(text).toContain(`Open the run: http://console.test/runs/${runId}`);
    expect(text).toMatch(/ean/i);
    expect(text).toContain('→');
    const h = hooksOf('rejects_percent');
    expect(h).toHaveLength(1);
    expect(h[0]!.signatureOk).toBe(true);
    expect(h[0]!.body).toMatchObject({ runId, link: `http://console.test/runs/${runId}`, data: { status: 'rejects' } });
  });

  it('run failed, then back to normal: an ERP that breaks mid-run, then is repaired', async () => {
    await rule('run_failed', null, [hookChannel]);
    await rule('back_to_normal', null, [hookChannel]);
    // The items table goes missing: the run starts, then fails reading the ERP.
    editErp(tc.config, 'ALTER TABLE items RENAME TO items_away');
    const failed = await runThroughApi(tc, { mode: 'full' });
    const run = (await api('GET', `/api/v1/runs/${failed.runId}`)).json() as { run: { status: string } };
    expect(run.run.status).toBe('failed');
    expect(hooksOf('run_failed')).toMatchObject([{ signatureOk: true, body: { runId: failed.runId, data: { status: 'failed' } } }]);

    editErp(tc.config, 'ALTER TABLE items_away RENAME TO items');
    editErp(tc.config, 'UPDATE items SET ean = NULL');
    const ok = await runThroughApi(tc, { mode: 'full' });
    expect(((await api('GET', `/api/v1/runs/${ok.runId}`)).json() as { run: { status: string } }).run.status).toBe('succeeded');
    expect(hooksOf('back_to_normal')).toMatchObject([{ body: { runId: ok.runId } }]);
    // Judged once: another good run is not "back to normal" again.
    await runThroughApi(tc, { mode: 'delta' });
    expect(hooksOf('back_to_normal')).toHaveLength(1);
  });

  it('a stuck run (not finished within T) and no success for D hours, on the notifier tick', async () => {
    await rule('stuck', 5, [hookChannel]);
    editErp(tc.config, "UPDATE items SET name_en = name_en || ' (stuck test)', updated_at = '2032-01-01 00:00:00'");
    const started = await tc.server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: tc.as.operator.headers, payload: { mode: 'full' } });
    const runId = (started.json() as { runId: number }).runId;
    expect(runId).toBeGreaterThan(0);
    clockOffset = 6 * 60_000; // six minutes later, the run still going
    await tc.server.ctx.notifier.tick();
    clockOffset = 0;
    await tc.server.ctx.manager.idle();
    expect(hooksOf('stuck')).toMatchObject([{ body: { runId, event: 'stuck' } }]);

    await rule('no_success', 24, [mailChannel]);
    const before = smtp.mails.length;
    await tc.server.ctx.notifier.tick();
    expect(smtp.mails.length).toBe(before);
    clockOffset = 25 * 3_600_000;
    await tc.server.ctx.notifier.tick();
    await tc.server.ctx.notifier.tick();
    clockOffset = 0;
    expect(smtp.mails.length).toBe(before + 1);
    expect(mailText(smtp.mails.at(-1)!)).toContain('Subject: Ferry: no successful run for 24 hours');
  });

  it('a failing channel is retried, then its error is stored and shown; the run is not affected', async () => {
    hook.failFirst.n = 2;
    const retried = await api('POST', `/api/v1/channels/${hookChannel}/test`);
    expect(retried.json()).toEqual({ ok: true, attempts: 3, error: null });
    hook.failFirst.n = 100;
    const rid = await rule('run_failed', null, [hookChannel]);
    await rule('rejects_count', 1, [hookChannel]);
    editErp(tc.config, "UPDATE items SET ean = '12345678901', updated_at = '2033-01-01 00:00:00' WHERE rowid % 5 = 0");
    const { runId } = await runThroughApi(tc, { mode: 'delta' });
    hook.failFirst.n = 0;
    const run = (await api('GET', `/api/v1/runs/${runId}`)).json() as { run: { status: string } };
    expect(run.run.status).toBe('rejects');
    const channel = ((await api('GET', '/api/v1/channels')).json() as { items: { id: number; lastDelivery: { ok: boolean; error: string } }[] }).items.find((c) => c.id === hookChannel)!;
    expect(channel.lastDelivery).toMatchObject({ ok: false, error: expect.stringContaining('500') });
    const deliveries = (await api('GET', `/api/v1/channels/${hookChannel}/deliveries`)).json() as { items: { runId: number; ok: boolean; attempts: number }[] };
    expect(deliveries.items[0]).toMatchObject({ runId, ok: false, attempts: 3 });
    await api('DELETE', `/api/v1/rules/${rid}`);
  });

  it('streams live progress of a run while it goes (SSE), ending with done', async () => {
    editErp(tc.config, "UPDATE items SET name_en = name_en || ' (live)', updated_at = '2033-06-01 00:00:00'");
    const res = await tc.server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: tc.as.operator.headers, payload: { mode: 'delta' } });
    const { jobId, runId } = res.json() as { jobId: string; runId: number };
    const stream = await tc.server.app.inject({ method: 'GET', url: `/api/v1/runs/${jobId}/events`, headers: tc.as.viewer.headers });
    const events = stream.body
      .split('\n\n')
      .filter((b) => b.startsWith('event:'))
      .map((b) => ({ event: /event: (\w+)/.exec(b)![1]!, data: JSON.parse(/data: (.*)/.exec(b)![1]!) as { phase: string; settled: number; requests: number; runId: number } }));
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.some((p) => p.data.phase !== 'done' && p.data.phase !== 'starting')).toBe(true);
    expect(progress.at(-1)!.data.requests).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { runId, status: expect.stringMatching(/succeeded|rejects/) } });
    await tc.server.ctx.manager.idle();
  });

  it('Cancel stops a run gracefully (interrupted) and the next run resumes it', async () => {
    editErp(tc.config, "UPDATE items SET name_en = name_en || ' (cancel test)', updated_at = '2034-01-01 00:00:00'");
    const res = await tc.server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: tc.as.operator.headers, payload: { mode: 'delta' } });
    const { runId } = res.json() as { runId: number };
    const viewerCancel = await tc.server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: tc.as.viewer.headers });
    expect(viewerCancel.statusCode).toBe(403);
    const detail = (await api('GET', `/api/v1/runs/${runId}`)).json() as { run: { cancellable: boolean; status: string }; report: unknown };
    expect(detail.run).toMatchObject({ status: 'running', cancellable: true });
    expect(detail.report).toBeNull();
    const cancel = await tc.server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: tc.as.operator.headers });
    expect(cancel.statusCode).toBe(202);
    await tc.server.ctx.manager.idle();
    const stopped = (await api('GET', `/api/v1/runs/${runId}`)).json() as { run: { status: string; counts: { updated: number } } };
    expect(stopped.run.status).toBe('interrupted');
    expect((await tc.server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: tc.as.operator.headers })).statusCode).toBe(409);
    const next = await runThroughApi(tc, { mode: 'delta' });
    const resumed = (await api('GET', `/api/v1/runs/${next.runId}`)).json() as { run: { status: string; counts: { updated: number; read: number } } };
    expect(resumed.run.status).toMatch(/succeeded|rejects/);
    expect(resumed.run.counts.updated).toBeGreaterThan(0);
    const audit = (await api('GET', '/api/v1/audit?action=run.cancel')).json() as { items: { actor: string; target: string }[] };
    expect(audit.items[0]).toMatchObject({ actor: 'user:operator', target: `run#${runId}` });
  });
});

describe('a run that cannot start', () => {
  it('notifies run_failed rules for a run that fails before reading (it is in the history with its error)', async () => {
    const hook = await startReceiver();
    const dir = tempDir();
    // The PIM refuses the credentials: the run fails before reading; it is still stored with its error.
    const sb = await startSandbox({ catalog: 'demo' });
    const config = ferryConfigSchema.parse({
      pim: { url: sb.url, clientId: sb.clientId, secret: 'pim-secret-4711', username: sb.username, password: 'pim-password-4711', timeoutMs: 2000 },
      erp: { type: 'demo', path: join(dir, 'erp.sqlite'), items: 5 },
      state: { path: join(dir, 'ferry.db') },
    });
    const server = await createConsole({ config, logger: silent, publicUrl: 'http://console.test', send: { attempts: 1, backoffMs: 10 } });
    try {
      await server.ctx.auth.addUser('admin', 'admin', 'admin-password-1');
      const s = await signIn(server, 'admin', 'admin-password-1');
      const ch = (await server.app.inject({ method: 'POST', url: '/api/v1/channels', headers: s.headers, payload: { type: 'webhook', name: 'CI', url: hook.url } })).json() as { id: number; secretOnce: string };
      hook.secret.value = ch.secretOnce;
      await server.app.inject({ method: 'POST', url: '/api/v1/rules', headers: s.headers, payload: { kind: 'run_failed', channelIds: [ch.id] } });
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: s.headers, payload: { mode: 'delta' } });
      expect(res.statusCode).toBe(202);
      await server.ctx.manager.idle();
      const jobRes = await server.app.inject({ method: 'GET', url: `/api/v1/jobs/${(res.json() as { jobId: string }).jobId}`, headers: s.headers });
      expect(jobRes.body).not.toContain('pim-secret-4711');
      const job = jobRes.json() as { state: string; runId: number | null };
      expect(job.state).toBe('finished');
      expect(job.runId).not.toBeNull();
      const { run } = (await server.app.inject({ method: 'GET', url: `/api/v1/runs/${job.runId}`, headers: s.headers })).json() as { run: { status: string } };
      expect(run.status).toBe('failed');
      expect(hook.hooks).toHaveLength(1);
      expect(hook.hooks[0]).toMatchObject({ signatureOk: true, body: { event: 'run_failed', subject: `Ferry: run #${job.runId} failed` } });
      expect(JSON.stringify(hook.hooks[0]!.body)).not.toContain('pim-password-4711');
    } finally {
      await server.close();
      await hook.close();
      await sb.close();
    }
  });
});

describe('Slack and Teams incoming webhooks', () => {
  it('get a Slack text and a Teams MessageCard with the link; a failing URL never shows in the error', async () => {
    const { deliver } = await import('../../src/server/notify/senders.js');
    const hook = await startReceiver();
    try {
      const message = { event: 'run_failed', subject: 'Ferry: run #4 failed', text: 'The delta run #4 failed.', link: 'http://console.test/runs/4', runId: 4, data: {} };
      expect(await deliver({ type: 'slack', url: hook.url }, message, { attempts: 1 })).toEqual({ ok: true, attempts: 1, error: null });
      expect(await deliver({ type: 'teams', url: hook.url }, message, { attempts: 1 })).toMatchObject({ ok: true });
      expect(hook.hooks[0]!.body).toEqual({ text: '*Ferry: run #4 failed*\nThe delta run #4 failed.\n\nOpen the run: http://console.test/runs/4' });
      expect(hook.hooks[1]!.body).toMatchObject({
        '@type': 'MessageCard',
        title: 'Ferry: run #4 failed',
        potentialAction: [{ '@type': 'OpenUri', targets: [{ uri: 'http://console.test/runs/4' }] }],
      });
      hook.failFirst.n = 5;
      const secretUrl = `${hook.url}/T000/B000/very-secret-part`;
      const failed = await deliver({ type: 'slack', url: secretUrl }, message, { attempts: 2, backoffMs: 5 });
      expect(failed).toMatchObject({ ok: false, attempts: 2 });
      expect(failed.error).toContain('500');
      expect(failed.error).not.toContain('very-secret-part');
    } finally {
      await hook.close();
    }
  });
});
