/**
 * Delivering one message on one channel: e-mail (nodemailer, SMTP with TLS or STARTTLS),
 * a generic webhook (JSON body signed with HMAC-SHA256 in X-Ferry-Signature), Slack and
 * Microsoft Teams incoming webhooks. Every kind is retried with backoff; the outcome is
 * returned, never thrown, so a failing channel cannot fail a run.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import { scrubSecrets } from '../../logging.js';
import { channelSecrets, type ChannelSettings } from './store.js';

export interface Message {
  /** `run_failed`, `test`, … */
  event: string;
  subject: string;
  /** Plain words for Julia, several lines. */
  text: string;
  /** The run page in the Console, when there is a run. */
  link: string | null;
  runId: number | null;
  /** Facts for machines (the webhook body carries them). */
  data: Record<string, unknown>;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  error: string | null;
}

export interface SendOptions {
  attempts?: number;
  /** Delay before the 2nd attempt; doubled each time (ms). */
  backoffMs?: number;
  timeoutMs?: number;
}

const SIGNATURE_HEADER = 'X-Ferry-Signature';

/** `sha256=<hex>` of the exact body bytes with the channel's secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** An error as a delivery shows it: no URL (Slack/Teams URLs are secrets), no credentials. */
function errorText(err: unknown, settings: ChannelSettings): string {
  let text = err instanceof Error ? err.message : String(err);
  if (settings.type !== 'email') text = text.split(settings.url).join('<the channel URL>');
  if (settings.type === 'email' && settings.password) text = text.split(settings.password).join('***');
  // A receiver may echo what it knows (its configured secret, our headers): the channel's own secrets go too.
  return scrubSecrets(text, channelSecrets(settings));
}

async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) {
    const answer = (await res.text().catch(() => '')).slice(0, 200);
    throw new Error(`the server answered ${res.status}${answer ? `: ${answer}` : ''}`);
  }
  await res.body?.cancel().catch(() => undefined);
}

async function sendOnce(settings: ChannelSettings, m: Message, timeoutMs: number): Promise<void> {
  const withLink = m.link ? `${m.text}\n\nOpen the run: ${m.link}` : m.text;
  switch (settings.type) {
    case 'email': {
      const transport = nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        ...(settings.username ? { auth: { user: settings.username, pass: settings.password ?? '' } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      try {
        await transport.sendMail({ from: settings.from, to: settings.to, subject: m.subject, text: withLink });
      } finally {
        transport.close();
      }
      return;
    }
    case 'webhook': {
      const body = JSON.stringify({ event: m.event, subject: m.subject, text: m.text, link: m.link, runId: m.runId, data: m.data, sentAt: new Date().toISOString() });
      await postJson(settings.url, body, { [SIGNATURE_HEADER]: signBody(body, settings.secret) }, timeoutMs);
      return;
    }
    case 'slack':
      await postJson(settings.url, JSON.stringify({ text: `*${m.subject}*\n${withLink}` }), {}, timeoutMs);
      return;
    case 'teams':
      await postJson(
        settings.url,
        JSON.stringify({
          '@type': 'MessageCard',
          '@context': 'https://schema.org/extensions',
          summary: m.subject,
          title: m.subject,
          text: m.text.replace(/\n/g, '<br>'),
          ...(m.link ? { potentialAction: [{ '@type': 'OpenUri', name: 'Open the run', targets: [{ os: 'default', uri: m.link }] }] } : {}),
        }),
        {},
        timeoutMs,
      );
      return;
  }
}

export async function deliver(settings: ChannelSettings, m: Message, options: SendOptions = {}): Promise<DeliveryResult> {
  const attempts = options.attempts ?? 3;
  let delay = options.backoffMs ?? 1000;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await sendOnce(settings, m, options.timeoutMs ?? 10_000);
      return { ok: true, attempts: attempt, error: null };
    } catch (err) {
      lastError = errorText(err, settings);
      if (attempt < attempts) {
        await sleep(delay);
        delay *= 2;
      }
    }
  }
  return { ok: false, attempts, error: lastError };
}
