/**
 * Events the sandbox sends to a subscribed URL after product and product model writes, so a
 * receiver (`ferry serve`) is tested against real deliveries:
 * - `api`: Akeneo's Events API: POST `{events:[…]}` (up to 10 a request) signed with
 *   `X-Akeneo-Request-Signature` = hex HMAC-SHA256 of `timestamp + "." + body` with the secret
 *   and `X-Akeneo-Request-Timestamp` = Unix seconds (api.akeneo.com, events-documentation/security);
 * - `platform`: the Event Platform's HTTPS delivery: one CloudEvents envelope a request
 *   (`specversion`, `id`, `source` pim, `type` com.akeneo.pim.v1.product.updated …, `subject` the
 *   subscription id, `dataschema`, `time`, `data.author`), signed as that platform documents
 *   (api.akeneo.com/event-platform/concepts.html, "HMAC signature for webhook payloads"):
 *   `X-AKENEO-SIGNATURE-PRIMARY` = hex HMAC-SHA256 of the body alone with the primary secret,
 *   `X-AKENEO-SIGNATURE-SECONDARY` the same with the secondary secret when there is one,
 *   `X-AKENEO-SIGNATURE-ALGORITHM: HmacSHA256`; no timestamp header. That delivery is at least
 *   once and unordered: `duplicate` sends each event a second time and `reorder` sends a burst
 *   newest first, so a receiver's dedup and ordering are exercised for real.
 * The author is the API user whose request made the write (context.ts `writeAuthor`): the Events
 * API names it by username; the Event Platform names a Connection's own user by the Connection's
 * client id (`author.identifier`, type `api`) and one of the extra `users` (people) by username,
 * type `user` (Akeneo gives the user's uuid there). Writes outside a request (catalog seed,
 * restore) send nothing. Delivery never blocks or fails a write.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Product, ProductModel } from '../akeneo/model.js';
import { writeAuthor } from './context.js';
import type { SandboxStore } from './store.js';

export type EventsFormat = 'api' | 'platform' | 'both';

export interface EventsSettings {
  url: string;
  /** Signs both formats (the Event Platform's primary secret). */
  secret: string;
  /** The Event Platform subscription's secondary secret (a rotation under way). */
  secondarySecret?: string | undefined;
  format: EventsFormat;
  /** Event Platform: send every event twice (same id), as at-least-once delivery may. */
  duplicate: boolean;
  /** Event Platform: send each burst newest first. */
  reorder: boolean;
  /** How long writes gather before a delivery (ms). */
  batchMs: number;
  /** The extra API users, who stand for people (the Event Platform's `user` authors). */
  people?: readonly string[];
}

export interface EventsStats {
  queued: number;
  delivered: number;
  failed: number;
  /** Last delivery error (status or network), for the banner and tests. */
  lastError: string | null;
}

/** One write as both formats describe it. */
interface WriteEvent {
  id: string;
  /** e.g. product.updated, product_model.removed */
  action: string;
  at: Date;
  author: { username: string; clientId: string };
  resource: Record<string, unknown>;
}

const API_BATCH = 10;
const ATTEMPTS = 3;

/** Akeneo's event_datetime style: 2024-01-02T03:04:05+00:00. */
const akeneoTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** The Event Platform's signature headers: each secret signs the body alone. */
export function signPlatformDelivery(body: string, primary: string, secondary?: string): Record<string, string> {
  const sign = (secret: string) => createHmac('sha256', secret).update(body).digest('hex');
  return {
    'x-akeneo-signature-primary': sign(primary),
    ...(secondary ? { 'x-akeneo-signature-secondary': sign(secondary) } : {}),
    'x-akeneo-signature-algorithm': 'HmacSHA256',
  };
}

/** The Events API's signature headers: the secret signs `timestamp.body`. */
export function signDelivery(secret: string, body: string, timestampSeconds: number): Record<string, string> {
  const ts = String(timestampSeconds);
  return {
    'x-akeneo-request-signature': createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'),
    'x-akeneo-request-timestamp': ts,
  };
}

export class EventSender {
  private pending: WriteEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private source = 'http://127.0.0.1';
  /** The Event Platform envelope's `subject`: the subscription the events come through. */
  private readonly subscriptionId = randomUUID();
  readonly stats: EventsStats = { queued: 0, delivered: 0, failed: 0, lastError: null };

  constructor(
    private readonly store: SandboxStore,
    private readonly settings: EventsSettings,
  ) {}

  /** The PIM's own URL (`pim_source`, `subject`), known once the server listens. */
  setSource(url: string): void {
    this.source = url;
  }

  attach(): void {
    this.store.onChange((kind, key, value) => {
      if (kind !== 'product' && kind !== 'product_model') return;
      const author = writeAuthor.getStore();
      if (author === undefined) return;
      const event = kind === 'product' ? this.productEvent(key, value !== null, author) : this.modelEvent(key, value as ProductModel | null, author);
      if (event) this.enqueue(event);
    });
  }

  private productEvent(uuid: string, exists: boolean, author: WriteEvent['author']): WriteEvent | null {
    const at = new Date();
    if (!exists) return { id: randomUUID(), action: 'product.removed', at, author, resource: { uuid } };
    const p: Product | undefined = this.store.productByUuid(uuid);
    if (!p) return null;
    const created = typeof p.created === 'string' && p.created === p.updated;
    return { id: randomUUID(), action: created ? 'product.created' : 'product.updated', at, author, resource: { ...p } };
  }

  private modelEvent(code: string, m: ProductModel | null, author: WriteEvent['author']): WriteEvent {
    const at = new Date();
    if (!m) return { id: randomUUID(), action: 'product_model.removed', at, author, resource: { code } };
    const created = typeof m.created === 'string' && m.created === m.updated;
    return { id: randomUUID(), action: created ? 'product_model.created' : 'product_model.updated', at, author, resource: { ...m } };
  }

  private enqueue(e: WriteEvent): void {
    this.pending.push(e);
    this.stats.queued++;
    this.timer ??= setTimeout(() => this.flush(), this.settings.batchMs);
  }

  /** Sends what is pending now (tests and close call it; the timer does otherwise). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const burst = this.pending;
    this.pending = [];
    if (burst.length === 0) return;
    const { format } = this.settings;
    if (format === 'api' || format === 'both') {
      for (let i = 0; i < burst.length; i += API_BATCH) this.track(this.deliver({ events: burst.slice(i, i + API_BATCH).map((e) => this.apiEvent(e)) }, 'api'));
    }
    if (format === 'platform' || format === 'both') {
      const ordered = this.settings.reorder ? [...burst].reverse() : burst;
      for (const e of ordered) {
        const envelope = this.platformEvent(e);
        this.track(this.deliver(envelope, 'platform'));
        if (this.settings.duplicate) this.track(this.deliver(envelope, 'platform'));
      }
    }
  }

  private apiEvent(e: WriteEvent): Record<string, unknown> {
    return {
      action: e.action,
      event_id: e.id,
      event_datetime: akeneoTime(e.at),
      author: e.author.username,
      author_type: 'api',
      pim_source: this.source,
      data: { resource: e.resource },
    };
  }

  private platformEvent(e: WriteEvent): Record<string, unknown> {
    const [noun, verb] = e.action.split('.') as [string, string];
    const type = `com.akeneo.pim.v1.${noun}.${verb === 'removed' ? 'deleted' : verb}`;
    const ref =
      noun === 'product'
        ? { product: { uuid: e.resource['uuid'], ...(typeof e.resource['identifier'] === 'string' ? { identifier: e.resource['identifier'] } : {}) } }
        : { product_model: { code: e.resource['code'] } };
    return {
      specversion: '1.0',
      id: e.id,
      source: 'pim',
      type,
      subject: this.subscriptionId,
      datacontenttype: 'application/json',
      dataschema: `https://event.prd.sdk.akeneo.cloud/spec/${type}.schema.json`,
      time: e.at.toISOString(),
      data: { ...ref, author: this.settings.people?.includes(e.author.username) ? { identifier: e.author.username, type: 'user' } : { identifier: e.author.clientId, type: 'api' } },
    };
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(payload: Record<string, unknown>, format: 'api' | 'platform'): Promise<void> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const signature = format === 'platform' ? signPlatformDelivery(body, this.settings.secret, this.settings.secondarySecret) : signDelivery(this.settings.secret, body, Math.floor(Date.now() / 1000));
        const headers = { 'content-type': 'application/json', 'user-agent': 'ferry-sandbox-events', ...signature };
        const res = await fetch(this.settings.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.stats.delivered++;
          return;
        }
        this.stats.lastError = `HTTP ${res.status}`;
        // A refusal (bad signature, bad body) will not change on a retry.
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        this.stats.lastError = err instanceof Error ? err.message : String(err);
      }
      if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    this.stats.failed++;
  }

  /** Sends what is pending and waits for every delivery to end. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
