/**
 * The two signatures Akeneo puts on event deliveries, each checked exactly as documented:
 *
 * - Events API (a Connection's event subscription; api.akeneo.com/events-documentation/security.html):
 *   `X-Akeneo-Request-Signature` is the hex HMAC-SHA256 of `X-Akeneo-Request-Timestamp + "." + raw
 *   body` with the Connection's secret; the timestamp (Unix seconds) lets a receiver refuse old
 *   deliveries: older than the allowed age (or more than a minute ahead) is a replay, refused.
 * - Event Platform, HTTPS subscription (api.akeneo.com/event-platform/concepts.html, "HMAC signature
 *   for webhook payloads"): `X-AKENEO-SIGNATURE-PRIMARY` is the hex HMAC-SHA256 of the raw body
 *   alone with the subscription's primary secret, `X-AKENEO-SIGNATURE-SECONDARY` the same with its
 *   secondary secret when it has one (for rotation), `X-AKENEO-SIGNATURE-ALGORITHM` says
 *   `HmacSHA256`. A receiver that knows one of the two secrets passes either header: Ferry keeps
 *   one (`events.platformSecret`), so a rotation needs no downtime. There is no timestamp header: the body's CloudEvents `id` and `time` are signed,
 *   so a replay is a duplicate id (ignored by the intake) or older than the ids are kept (refused
 *   by the route, `maxPlatformEventAgeMs`).
 *
 * Compared in constant time. Messages name the header and the setting, never the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureScheme = 'api' | 'platform';
export type SignatureCheck = { ok: true; scheme: SignatureScheme } | { ok: false; status: 401; code: 'unsigned' | 'bad_signature' | 'stale' | 'not_configured'; message: string };

export interface SignatureSecrets {
  /** The Connection's Events API secret. */
  secret?: string | undefined;
  /** The Event Platform subscription's secret (its config.secret.primary, or .secondary while rotating). */
  platformSecret?: string | undefined;
  maxAgeSeconds: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** Which scheme signed the delivery (by its headers), checked with that scheme's secret. */
export function verifyDelivery(headers: Headers, rawBody: string, secrets: SignatureSecrets, nowMs: number = Date.now()): SignatureCheck {
  if (single(headers['x-akeneo-signature-primary']) !== undefined || single(headers['x-akeneo-signature-secondary']) !== undefined) {
    return verifyPlatformDelivery(headers, rawBody, secrets.platformSecret);
  }
  if (single(headers['x-akeneo-request-signature']) !== undefined || single(headers['x-akeneo-request-timestamp']) !== undefined) {
    return verifyEventsApiDelivery(headers, rawBody, secrets.secret, secrets.maxAgeSeconds, nowMs);
  }
  return {
    ok: false,
    status: 401,
    code: 'unsigned',
    message:
      'the delivery carries no Akeneo signature: an Events API delivery has X-Akeneo-Request-Signature and X-Akeneo-Request-Timestamp, an Event Platform one X-AKENEO-SIGNATURE-PRIMARY; only signed Akeneo events are accepted',
  };
}

export function verifyEventsApiDelivery(headers: Headers, rawBody: string, secret: string | undefined, maxAgeSeconds: number, nowMs: number = Date.now()): SignatureCheck {
  const signature = single(headers['x-akeneo-request-signature']);
  const timestamp = single(headers['x-akeneo-request-timestamp']);
  if (!signature || !timestamp) {
    return { ok: false, status: 401, code: 'unsigned', message: 'the delivery has no X-Akeneo-Request-Signature and X-Akeneo-Request-Timestamp headers; only signed Akeneo events are accepted' };
  }
  if (!secret) {
    return { ok: false, status: 401, code: 'not_configured', message: "an Events API delivery, but ferry.yaml has no events.secret: set it to the Connection's event subscription secret" };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, status: 401, code: 'stale', message: `X-Akeneo-Request-Timestamp must be Unix seconds, got "${timestamp.slice(0, 20)}"` };
  }
  if (!matches(signature, createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest())) {
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
  return { ok: true, scheme: 'api' };
}

export function verifyPlatformDelivery(headers: Headers, rawBody: string, secret: string | undefined): SignatureCheck {
  const algorithm = single(headers['x-akeneo-signature-algorithm']);
  if (algorithm !== undefined && algorithm !== 'HmacSHA256') {
    return { ok: false, status: 401, code: 'bad_signature', message: `X-AKENEO-SIGNATURE-ALGORITHM is "${algorithm.slice(0, 30)}"; Ferry checks HmacSHA256, the only algorithm the Event Platform documents` };
  }
  if (!secret) {
    return { ok: false, status: 401, code: 'not_configured', message: "an Event Platform delivery, but ferry.yaml has no events.platformSecret: set it to the subscription's config.secret.primary" };
  }
  const given = [single(headers['x-akeneo-signature-primary']), single(headers['x-akeneo-signature-secondary'])].filter((s): s is string => Boolean(s));
  // Either header may carry the secret Ferry knows: during a rotation Akeneo signs with both.
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (given.some((g) => matches(g, expected))) return { ok: true, scheme: 'platform' };
  return {
    ok: false,
    status: 401,
    code: 'bad_signature',
    message: "neither X-AKENEO-SIGNATURE-PRIMARY nor X-AKENEO-SIGNATURE-SECONDARY matches the body: check that events.platformSecret in ferry.yaml is the subscription's config.secret.primary (or .secondary)",
  };
}

function matches(hex: string, expected: Buffer): boolean {
  const given = /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
