/**
 * Test-only access to a TrytonRpc's session (kept out of src/: production code has no hook for it).
 */
import type { TrytonRpc } from '../../../src/erp/tryton/rpc.js';

interface SessionInternals {
  session: { userId: number; key: string; header: string } | null;
  options: { username: string };
}

/** Replaces the session key with one the server does not know, as if the server had dropped the session. */
export function corruptSession(rpc: TrytonRpc): void {
  const inner = rpc as unknown as SessionInternals;
  if (!inner.session) return;
  const key = 'x'.repeat(inner.session.key.length);
  // Tryton's header: "Session " + base64("<login>:<user id>:<key>").
  const header = 'Session ' + Buffer.from(`${inner.options.username}:${inner.session.userId}:${key}`, 'utf8').toString('base64');
  inner.session = { ...inner.session, key, header };
}
