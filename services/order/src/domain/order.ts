import { z } from 'zod';

/** Order decisions and the shape of a new order: pure, no IO. */

export const ORDER_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const MAX_LINES = 50;
export const MAX_QUANTITY = 1_000;
export const MAX_UNIT_PRICE_CENTS = 100_000_000;

export const OrderLine = z
  .object({
    sku: z.string().max(64).regex(/\S/, 'must not be blank').trim(),
    quantity: z.number().int().min(1).max(MAX_QUANTITY),
    unitPriceCents: z.number().int().min(0).max(MAX_UNIT_PRICE_CENTS),
  })
  .strict();
export type OrderLine = z.infer<typeof OrderLine>;

/** Body of `POST /orders`. Unknown fields are refused, so a typo is an error, not a silent default. */
export const CreateOrder = z
  .object({
    customerId: z.string().max(64).regex(/\S/, 'must not be blank').trim(),
    lines: z.array(OrderLine).min(1).max(MAX_LINES),
  })
  .strict()
  .superRefine((order, ctx) => {
    const seen = new Set<string>();
    order.lines.forEach((line, i) => {
      if (seen.has(line.sku))
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'sku'],
          message: `sku ${line.sku} appears twice; give one line per sku`,
        });
      seen.add(line.sku);
    });
  });
export type CreateOrder = z.infer<typeof CreateOrder>;

/** Integer cents; the limits above keep it well inside Number.MAX_SAFE_INTEGER. */
export const totalCents = (lines: OrderLine[]): number =>
  lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);

export type TransitionDecision =
  | { kind: 'transition'; to: 'APPROVED' | 'REJECTED' }
  | { kind: 'noop' }
  | { kind: 'refuse'; reason: 'ORDER_NOT_FOUND' | 'ORDER_ALREADY_APPROVED' | 'ORDER_ALREADY_REJECTED' };

/** PENDING goes to APPROVED or REJECTED once; a decided order never changes again. */
export const decideTransition = (current: OrderStatus | undefined, to: 'APPROVED' | 'REJECTED'): TransitionDecision => {
  if (current === undefined) return { kind: 'refuse', reason: 'ORDER_NOT_FOUND' };
  if (current === to) return { kind: 'noop' };
  if (current === 'PENDING') return { kind: 'transition', to };
  return { kind: 'refuse', reason: current === 'APPROVED' ? 'ORDER_ALREADY_APPROVED' : 'ORDER_ALREADY_REJECTED' };
};
