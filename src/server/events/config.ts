/** The `events:` section of ferry.yaml: Akeneo's events received by `ferry serve` trigger exports (PIM → ERP). */
import { z } from 'zod';

export const eventsConfigSchema = z
  .object({
    secret: z
      .string()
      .min(8)
      .optional()
      .describe("The Events API's secret (a Connection's event subscription): it signs X-Akeneo-Request-Signature. Never logged."),
    platformSecret: z
      .string()
      .min(8)
      .optional()
      .describe(
        "The Event Platform HTTPS subscription's secret (its config.secret.primary; during a rotation the old one, now its .secondary, still passes): it signs X-AKENEO-SIGNATURE-PRIMARY / -SECONDARY. Never logged.",
      ),
    maxAgeSeconds: z.number().int().min(10).max(3600).default(300).describe('An Events API delivery whose X-Akeneo-Request-Timestamp is older than this is refused (replay). Event Platform deliveries have no timestamp header: a repeated event id is ignored instead.'),
    debounceSeconds: z.number().min(0).max(3600).default(10).describe('Events for one product are gathered this long after the last one before an export is triggered.'),
    ferryAuthors: z
      .array(z.string().min(1))
      .optional()
      .describe("Authors whose writes are Ferry's own and never trigger an export. Default: the pim: connection's username (the Events API's author) and client id (the Event Platform's)."),
    statusAttributes: z
      .array(z.string().min(1))
      .optional()
      .describe("Attributes only Ferry writes back (a change of these alone triggers nothing: no loop). Default: export.status's attribute, message and erpId."),
  })
  .strict()
  .refine((e) => e.secret !== undefined || e.platformSecret !== undefined, {
    message: "events needs the secret of what sends them: secret (the Events API Connection's) and/or platformSecret (the Event Platform subscription's)",
    path: ['secret'],
  });

