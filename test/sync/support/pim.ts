/** Helpers for end-to-end sync tests: a sandbox-backed PIM, its content in comparable form, a config. */
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import { createAkeneoClient } from '../../../src/akeneo/index.js';
import type { Product, ProductModel, Values } from '../../../src/akeneo/model.js';
import type { RunningSandbox } from '../../../src/sandbox/index.js';

export function clientFor(sb: RunningSandbox, extra: { onEvent?: (e: { method: string; route?: string; path?: string; status?: number }) => void; timeoutMs?: number } = {}): AkeneoClient {
  return createAkeneoClient({
    url: sb.url,
    auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password },
    backoffBaseMs: 20,
    timeoutMs: extra.timeoutMs ?? 2000,
    ...(extra.onEvent ? { onEvent: extra.onEvent as never } : {}),
  });
}

function sortValues(values: Values | undefined): Values {
  const out: Values = {};
  for (const key of Object.keys(values ?? {}).sort()) {
    out[key] = [...(values![key] ?? [])]
      .map((e) => ({ locale: e.locale ?? null, scope: e.scope ?? null, data: e.data }))
      .sort((a, b) => `${a.locale}|${a.scope}`.localeCompare(`${b.locale}|${b.scope}`));
  }
  return out;
}

/** Products (by identifier) and product models as the PIM holds them, without ids and timestamps. */
export async function pimSnapshot(client: AkeneoClient): Promise<{ products: Record<string, unknown>; models: Record<string, unknown>; categories: Record<string, unknown>; productCount: number }> {
  const products: Record<string, unknown> = {};
  let productCount = 0;
  for await (const p of client.products.list({ limit: 100 }) as AsyncIterable<Product>) {
    productCount++;
    const id = String(p.identifier ?? (p.values?.sku?.[0]?.data as string | undefined) ?? p.uuid);
    products[id] = {
      enabled: p.enabled,
      family: p.family ?? null,
      parent: p.parent ?? null,
      categories: [...(p.categories ?? [])].sort(),
      values: sortValues(p.values),
    };
  }
  const models: Record<string, unknown> = {};
  for await (const m of client.productModels.list({ limit: 100 }) as AsyncIterable<ProductModel>) {
    models[m.code] = { family_variant: m.family_variant, parent: m.parent ?? null, categories: [...(m.categories ?? [])].sort(), values: sortValues(m.values) };
  }
  const categories: Record<string, unknown> = {};
  for await (const c of client.categories.list({ limit: 100 })) categories[c.code] = { parent: c.parent, labels: c.labels };
  return { products, models, categories, productCount };
}

export interface RecordedWrite {
  resource: string;
  lines: Record<string, unknown>[];
}

/** Wraps a client so every collection PATCH it sends (the exact lines) is recorded. */
export function recordingClient(client: AkeneoClient): { client: AkeneoClient; writes: RecordedWrite[] } {
  const writes: RecordedWrite[] = [];
  const wrap = <T extends { upsertMany: (items: never[]) => Promise<unknown> }>(resource: string, target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        if (prop === 'upsertMany') {
          return async (items: never[]) => {
            writes.push({ resource, lines: structuredClone(items) as Record<string, unknown>[] });
            return obj.upsertMany(items);
          };
        }
        const v = Reflect.get(obj, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
      },
    });
  const proxy = new Proxy(client, {
    get(obj, prop, receiver) {
      if (prop === 'products' || prop === 'productModels' || prop === 'categories') return wrap(prop, obj[prop] as never);
      if (prop === 'attributeOptions') return (attr: string) => wrap(`options:${attr}`, obj.attributeOptions(attr) as never);
      const v = Reflect.get(obj, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
    },
  });
  return { client: proxy, writes };
}
