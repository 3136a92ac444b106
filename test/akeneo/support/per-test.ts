/**
 * Fakes and clients that live for one test: whatever a test starts or builds through
 * `fakeAkeneoPerTest()` is closed after it (clients first, then the fakes), so no server,
 * socket or timer outlives the test that opened it.
 */
import { afterEach } from 'vitest';
import { createAkeneoClient, type AkeneoClient, type RequestEvent } from '../../../src/akeneo/index.js';
import { clientOptionsFor, startFake, type FakeAkeneo, type FakeOptions } from './fake-akeneo.js';

interface Closable {
  close(): Promise<void>;
}

export interface FakeAkeneoPerTest {
  start(options?: FakeOptions): Promise<FakeAkeneo>;
  /** A client on `fake` with the test defaults of `clientOptionsFor`, overridden by `extra`. */
  client(fake: FakeAkeneo, extra?: Record<string, unknown>): AkeneoClient;
  /** The same client, with every request event it emits collected in `events`. */
  clientWithEvents(fake: FakeAkeneo, extra?: Record<string, unknown>): { c: AkeneoClient; events: RequestEvent[] };
  /** Closes a client the test built by hand after the test as well; returns it. */
  track<T extends Closable>(client: T): T;
}

/** Call once at the top of a test file: it registers the afterEach that closes everything. */
export function fakeAkeneoPerTest(): FakeAkeneoPerTest {
  const clients: Closable[] = [];
  const fakes: FakeAkeneo[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  const track = <T extends Closable>(client: T): T => {
    clients.push(client);
    return client;
  };
  const client = (fake: FakeAkeneo, extra: Record<string, unknown> = {}) => track(createAkeneoClient(clientOptionsFor(fake, extra)));
  return {
    async start(options) {
      const fake = await startFake(options);
      fakes.push(fake);
      return fake;
    },
    client,
    clientWithEvents(fake, extra = {}) {
      const events: RequestEvent[] = [];
      const c = client(fake, { onEvent: (e: RequestEvent) => events.push(e), ...extra });
      return { c, events };
    },
    track,
  };
}
