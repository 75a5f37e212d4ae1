import { z } from 'zod';
import { envelopeFields } from './envelope.ts';

/**
 * A service's answer to a command, on `saga.replies` (key = saga id).
 * FAILURE is a business refusal with a machine-readable reason; a technical error is never a
 * reply: the caller retries the command with the same command id.
 */
export const Reply = z.object({
  ...envelopeFields,
  /** `reply:<command id>`: a command id may be as long as any id. */
  messageId: z.string().min(1).max(206),
  type: z.literal('Reply'),
  payload: z.discriminatedUnion('outcome', [
    z.object({
      commandId: z.string().min(1),
      commandType: z.string().min(1),
      outcome: z.literal('SUCCESS'),
      data: z.record(z.string(), z.unknown()).default({}),
    }),
    z.object({
      commandId: z.string().min(1),
      commandType: z.string().min(1),
      outcome: z.literal('FAILURE'),
      reason: z.string().min(1),
      detail: z.string().optional(),
    }),
  ]),
});
export type Reply = z.infer<typeof Reply>;
