/**
 * Form checks in the browser with the same zod schemas the server validates with (the API
 * contract): a form shows the server's own rule next to the field before anything is sent.
 */
import type { z } from 'zod';

/** `{ 'threshold': 'rule stuck needs a threshold', 'channelIds': '…' }`, empty when the input is valid. */
export function fieldErrors(schema: z.ZodType, value: unknown): Record<string, string> {
  const result = schema.safeParse(value);
  if (result.success) return {};
  const out: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    out[key] ??= issue.message;
  }
  return out;
}
