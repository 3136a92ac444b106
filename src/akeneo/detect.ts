/**
 * Which Akeneo is this? /system-information (6.0+) tells version and edition; older PIMs
 * (or a connection without the ACL) get probed: /products-uuid exists from 7.0, and
 * /reference-entities only on Enterprise editions. A 404 on /system-information means the
 * route does not exist, so the PIM is older than 6.0 (Akeneo's spec: x-versions 6.0, 7.0).
 */
import { z } from 'zod';
import type { Transport } from './transport.js';

export type EndpointMode = 'uuid' | 'identifier';

export interface PimInfo {
  version: string;
  edition: string;
  endpointMode: EndpointMode;
}

const systemInfoSchema = z.looseObject({ version: z.string(), edition: z.string() });

/** SaaS editions (Serenity, Growth) and any 7.0+ have the uuid endpoints. */
export function uuidEndpointsExpected(version: string, edition: string): boolean | undefined {
  const e = edition.toLowerCase();
  if (e === 'serenity' || e === 'ge' || e.includes('growth') || e.includes('saas')) return true;
  // SaaS versions are timestamps: 20210521041041 in the spec's example, v20230112013744 in its table.
  if (/^v?\d{14}$/.test(version)) return true;
  const major = /^v?(\d+)\./.exec(version)?.[1];
  if (major === undefined) return undefined;
  return Number(major) >= 7;
}

export async function detectPim(transport: Transport, override: 'auto' | EndpointMode): Promise<PimInfo> {
  const info = await transport.call({ method: 'GET', route: '/api/rest/v1/system-information', allow: [403, 404, 405] });
  let version = 'unknown';
  let edition = 'unknown';
  if (info.status === 200) {
    const parsed = systemInfoSchema.safeParse(info.json());
    if (parsed.success) {
      version = parsed.data.version;
      edition = parsed.data.edition;
    }
  }
  let uuid = uuidEndpointsExpected(version, edition);
  if (uuid === undefined && override === 'auto') {
    const probe = await transport.call({ method: 'GET', route: '/api/rest/v1/products-uuid', query: { limit: 1 }, allow: [403, 404, 405] });
    uuid = probe.status !== 404 && probe.status !== 405;
    if (version === 'unknown') version = uuid ? '7.0 or later' : info.status === 404 ? 'before 6.0' : '6.0 or earlier';
  }
  if (edition === 'unknown') {
    const probe = await transport.call({ method: 'GET', route: '/api/rest/v1/reference-entities', query: { limit: 1 }, allow: [403, 404, 405] });
    edition = probe.status === 404 || probe.status === 405 ? 'CE' : 'EE';
  }
  const endpointMode: EndpointMode = override !== 'auto' ? override : uuid ? 'uuid' : 'identifier';
  return { version, edition, endpointMode };
}
