/** The `events:` section of ferry.yaml: Akeneo's events received by `ferry serve` trigger exports (PIM → ERP). */
import { z } from 'zod';

export const eventsConfigSchema = z
  .object({
    secret: z
      .string()
      .min(8)
      .describe("The secret that signs the events: the Connection's Events API secret (or the Event Platform subscription's). Never logged."),
    maxAgeSeconds: z.number().int().min(10).max(3600).default(300).describe('A delivery whose X-Akeneo-Request-Timestamp is older than this is refused (replay).'),
    debounceSeconds: z.number().min(0).max(3600).default(10).describe('Events for one product are gathered this long after the last one before an export is triggered.'),
    ferryAuthors: z
      .array(z.string().min(1))
      .optional()
      .describe("Authors whose writes are Ferry's own and never trigger an export. Default: the pim: connection's username."),
    statusAttributes: z
      .array(z.string().min(1))
      .optional()
      .describe("Attributes only Ferry writes back (a change of these alone triggers nothing: no loop). Default: export.status's attribute, message and erpId."),
  })
  .strict();

