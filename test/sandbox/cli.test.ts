import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerSandboxCommand, sandboxOptionsFromFlags, startBanner } from '../../src/cli/commands/sandbox.js';
import { startSandbox } from '../../src/sandbox/index.js';

describe('ferry sandbox flags', () => {
  it('maps every flag to SandboxOptions', () => {
    expect(
      sandboxOptionsFromFlags({
        host: '0.0.0.0',
        port: '9000',
        catalog: 'technical',
        data: '/tmp/x.sqlite',
        limits: 'saas',
        latency: '200ms+2ms/line',
        faults: '429:0.05,timeout:0.005',
        seed: '7',
        clientId: 'id',
        secret: 's',
        username: 'u',
        password: 'p',
        tokenLifetime: '60',
      }),
    ).toEqual({
      host: '0.0.0.0',
      port: 9000,
      catalog: 'technical',
      dataFile: '/tmp/x.sqlite',
      limits: 'saas',
      latency: '200ms+2ms/line',
      faults: '429:0.05,timeout:0.005',
      seed: 7,
      clientId: 'id',
      secret: 's',
      username: 'u',
      password: 'p',
      tokenLifetimeSeconds: 60,
    });
    expect(sandboxOptionsFromFlags({}).port).toBe(8081);
  });

  it.each([
    [{ port: 'abc' }, /--port must be an integer/],
    [{ port: '70000' }, /--port must be an integer/],
    [{ limits: 'turbo' }, /--limits must be "none" or "saas"/],
    [{ latency: 'slow' }, /Invalid latency/],
    [{ faults: 'boom:1' }, /Invalid faults/],
    [{ seed: '1.5' }, /--seed must be an integer/],
    [{ eventsUrl: 'http://127.0.0.1:8080/api/v1/events/akeneo' }, /--events-url needs --events-secret/],
    [{ eventsUrl: 'ftp://x', eventsSecret: 's3cret-abc' }, /--events-url must be an http\(s\) URL/],
    [{ eventsUrl: 'http://x/e', eventsSecret: 's3cret-abc', eventsFormat: 'kafka' }, /--events-format must be api, platform or both/],
    [{ user: ['julia'] }, /--user must be NAME:PASSWORD/],
  ])('refuses %o', (flags, message) => {
    expect(() => sandboxOptionsFromFlags(flags)).toThrow(message);
  });

  it('maps the events and extra-user flags', () => {
    expect(
      sandboxOptionsFromFlags({ user: ['julia:julia-pass'], eventsUrl: 'http://127.0.0.1:8080/api/v1/events/akeneo', eventsSecret: 's3cret-abc', eventsFormat: 'platform', eventsDuplicate: true, eventsReorder: true }),
    ).toMatchObject({
      users: [{ username: 'julia', password: 'julia-pass' }],
      eventsUrl: 'http://127.0.0.1:8080/api/v1/events/akeneo',
      eventsSecret: 's3cret-abc',
      eventsFormat: 'platform',
      eventsDuplicate: true,
      eventsReorder: true,
    });
  });

  it('--log installs a request logger', () => {
    expect(typeof sandboxOptionsFromFlags({ log: true }).onRequestLog).toBe('function');
    expect(sandboxOptionsFromFlags({}).onRequestLog).toBeUndefined();
  });

  it('onRequestLog receives method, url, status, time and batch lines', async () => {
    const entries: { method: string; url: string; status: number; lines: number }[] = [];
    const sb = await startSandbox({ catalog: 'empty', onRequestLog: (e) => entries.push(e) });
    try {
      await fetch(`${sb.url}/api/rest/v1/channels`);
      const basic = Buffer.from(`${sb.clientId}:${sb.secret}`).toString('base64');
      const tok = (await (
        await fetch(`${sb.url}/api/oauth/v1/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'password', username: sb.username, password: sb.password }),
        })
      ).json()) as { access_token: string };
      await fetch(`${sb.url}/api/rest/v1/products`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/vnd.akeneo.collection+json' },
        body: '{"identifier":"a"}\n{"identifier":"b"}',
      });
      expect(entries.map((e) => [e.method, e.url, e.status, e.lines])).toEqual([
        ['GET', '/api/rest/v1/channels', 401, 0],
        ['POST', '/api/oauth/v1/token', 200, 0],
        ['PATCH', '/api/rest/v1/products', 200, 2],
      ]);
      expect(JSON.stringify(entries)).not.toContain(tok.access_token);
    } finally {
      await sb.close();
    }
  });

  it('registers `sandbox` with every documented option', () => {
    const program = new Command('ferry');
    registerSandboxCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'sandbox');
    const flags = cmd?.options.map((o) => o.long);
    expect(flags).toEqual(
      expect.arrayContaining(['--host', '--port', '--catalog', '--data', '--limits', '--latency', '--faults', '--seed', '--client-id', '--secret', '--username', '--password', '--token-lifetime', '--log', '--user', '--events-url', '--events-secret', '--events-format', '--events-duplicate', '--events-reorder']),
    );
  });

  it('the start banner prints the URL and credentials', async () => {
    const sb = await startSandbox({ catalog: 'empty', clientId: 'cid', secret: 'sec', username: 'usr', password: 'pwd' });
    try {
      const text = startBanner(sb, { catalog: 'empty' });
      expect(text).toContain(sb.url);
      for (const s of ['cid', 'sec', 'usr', 'pwd']) expect(text).toContain(s);
    } finally {
      await sb.close();
    }
  });
});
