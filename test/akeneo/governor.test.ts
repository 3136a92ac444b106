import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrencyLimiter, RateBudget } from '../../src/akeneo/governor.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '../../src/akeneo/retry.js';

describe('AdaptiveConcurrencyLimiter', () => {
  it('serves waiters in order and never exceeds the limit', async () => {
    const l = new AdaptiveConcurrencyLimiter(2);
    const order: number[] = [];
    await l.acquire();
    await l.acquire();
    const waiting = [1, 2, 3].map((n) => l.acquire().then(() => order.push(n)));
    expect(l.inFlight).toBe(2);
    expect(l.queued).toBe(3);
    l.release();
    await Promise.resolve();
    l.release();
    await Promise.resolve();
    l.release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(l.peak).toBe(2);
  });

  it('halves on repeated 429s once per burst, and grows back after successes', () => {
    let now = 0;
    const l = new AdaptiveConcurrencyLimiter(8, { now: () => now });
    for (let i = 0; i < 8; i++) l.onThrottled(); // one burst: the 8 in-flight calls refused together
    expect(l.limit).toBe(4);
    now += 1500;
    l.onThrottled();
    l.onThrottled();
    expect(l.limit).toBe(2);
    now += 1500;
    l.onThrottled(); // a single 429 is not "repeated"
    l.onSuccess();
    l.onThrottled();
    expect(l.limit).toBe(2);
    for (let i = 0; i < 20; i++) l.onSuccess();
    expect(l.limit).toBe(3);
    for (let i = 0; i < 1000; i++) l.onSuccess();
    expect(l.limit).toBe(8);
  });
});

describe('RateBudget', () => {
  it('allows at most N starts in any sliding second', async () => {
    let t = 0;
    const b = new RateBudget(3, () => t);
    expect(await b.take()).toBe(0);
    expect(await b.take()).toBe(0);
    expect(await b.take()).toBe(0);
    const fourth = b.take();
    t = 1001; // time passes; the sleeping taker re-checks
    const waited = await fourth;
    expect(waited).toBeGreaterThanOrEqual(1000);
  });
});

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 422, 501].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially within jitter bounds', () => {
    expect(backoffDelay(1, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 30_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 30_000, () => 1)).toBe(30_000);
  });
});
