/**
 * Akeneo's delivery signature: `X-Akeneo-Request-Signature` is the hex HMAC-SHA256 of
 * `X-Akeneo-Request-Timestamp + "." + raw body` with the secret (api.akeneo.com,
 * events-documentation/security). Compared in constant time; a timestamp older than the
 * allowed age (or more than a minute ahead) is a replay and refused. Messages never hold the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; status: 401; code: 'unsigned' | 'bad_signature' | 'stale'; message: string };

export function verifyDelivery(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  secret: string,
  maxAgeSeconds: number,
  nowMs: number = Date.now(),
): SignatureCheck {
  const signature = single(headers['x-akeneo-request-signature']);
  const timestamp = single(headers['x-akeneo-request-timestamp']);
  if (!signature || !timestamp) {
    return { ok: false, status: 401, code: 'unsigned', message: 'the delivery has no X-Akeneo-Request-Signature and X-Akeneo-Request-Timestamp headers; only signed Akeneo events are accepted' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, status: 401, code: 'stale', message: `X-Akeneo-Request-Timestamp must be Unix seconds, got "${timestamp.slice(0, 20)}"` };
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      status: 401,
      code: 'bad_signature',
      message: "X-Akeneo-Request-Signature does not match the body: check that events.secret in ferry.yaml is the Connection's event subscription secret",
    };
  }
  const ageSeconds = Math.floor(nowMs / 1000) - Number(timestamp);
  if (ageSeconds > maxAgeSeconds || ageSeconds < -60) {
    return {
      ok: false,
      status: 401,
      code: 'stale',
      message: `X-Akeneo-Request-Timestamp is ${ageSeconds > 0 ? `${ageSeconds} s old` : `${-ageSeconds} s in the future`}; deliveries older than ${maxAgeSeconds} s are refused (replay), check the clocks`,
    };
  }
  return { ok: true };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
