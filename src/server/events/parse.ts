/**
 * The two delivery formats, parsed with zod into one shape the intake works on:
 * - Events API: `{events:[{action, event_id, event_datetime, author, author_type, pim_source, data:{resource}}]}`;
 * - Event Platform (HTTPS destination): one CloudEvents envelope `{specversion, id, type, time, data:{product|product_model, author}}`.
 * Only product and product model events matter for exports; others are acknowledged and ignored.
 */
import { z } from 'zod';

export interface ProductEvent {
  id: string;
  /** ms epoch of the event (its order). */
  time: number;
  entity: 'product' | 'product_model';
  change: 'created' | 'updated' | 'removed';
  /** uuid (products) or code (product models). */
  key: string;
  /** The product identifier when the event names it. */
  identifier: string | null;
  author: string | null;
  /** Events API: the resource after the change (values included); Event Platform: absent. */
  resource: { values?: Record<string, unknown> } | null;
  format: 'api' | 'platform';
}

const valuesSchema = z.record(z.string(), z.unknown());
const resourceSchema = z
  .object({ uuid: z.string().optional(), identifier: z.string().nullable().optional(), code: z.string().optional(), values: valuesSchema.optional() })
  .loose();

const apiEventSchema = z.object({
  action: z.string().min(1),
  event_id: z.string().min(1),
  event_datetime: z.string().min(1),
  author: z.string().nullable().optional(),
  author_type: z.string().nullable().optional(),
  pim_source: z.string().optional(),
  data: z.object({ resource: resourceSchema }).loose(),
});
export const apiDeliverySchema = z.object({ events: z.array(apiEventSchema).max(1000) }).loose();

export const platformEventSchema = z
  .object({
    specversion: z.string().min(1),
    id: z.string().min(1),
    type: z.string().min(1),
    time: z.string().min(1),
    data: z
      .object({
        product: z.object({ uuid: z.string().optional(), identifier: z.string().nullable().optional() }).loose().optional(),
        product_model: z.object({ code: z.string() }).loose().optional(),
        author: z.object({ identifier: z.string().nullable().optional(), type: z.string().optional() }).loose().optional(),
      })
      .loose(),
  })
  .loose();

const CHANGES: Record<string, ProductEvent['change']> = { created: 'created', updated: 'updated', removed: 'removed', deleted: 'removed' };

function timeOf(text: string): number | null {
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

/** Events API events about products / product models; others (and unreadable times) are dropped. */
export function fromApiDelivery(body: z.infer<typeof apiDeliverySchema>): ProductEvent[] {
  const out: ProductEvent[] = [];
  for (const e of body.events) {
    const [noun, verb] = e.action.split('.');
    const change = CHANGES[verb ?? ''];
    const time = timeOf(e.event_datetime);
    if ((noun !== 'product' && noun !== 'product_model') || !change || time === null) continue;
    const r = e.data.resource;
    const key = noun === 'product' ? (r.uuid ?? r.identifier ?? null) : (r.code ?? null);
    if (!key) continue;
    out.push({
      id: e.event_id,
      time,
      entity: noun,
      change,
      key,
      identifier: noun === 'product' ? (r.identifier ?? null) : null,
      author: e.author ?? null,
      resource: change === 'removed' ? null : (r as ProductEvent['resource']),
      format: 'api',
    });
  }
  return out;
}

/** An Event Platform envelope about a product / product model, or null (another event type). */
export function fromPlatformEvent(e: z.infer<typeof platformEventSchema>): ProductEvent | null {
  const m = /^com\.akeneo\.pim\.v\d+\.(product|product_model)\.(created|updated|deleted|removed)(?:\.delta)?$/.exec(e.type);
  const time = timeOf(e.time);
  if (!m || time === null) return null;
  const entity = m[1] as ProductEvent['entity'];
  const key = entity === 'product' ? (e.data.product?.uuid ?? e.data.product?.identifier ?? null) : (e.data.product_model?.code ?? null);
  if (!key) return null;
  return {
    id: e.id,
    time,
    entity,
    change: CHANGES[m[2]!]!,
    key,
    identifier: entity === 'product' ? (e.data.product?.identifier ?? null) : null,
    author: e.data.author?.identifier ?? null,
    resource: null,
    format: 'platform',
  };
}
