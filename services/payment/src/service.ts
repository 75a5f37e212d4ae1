import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Cents, Topics, type OrderOutcome } from '@saga/contracts';
import { HttpError } from '@saga/http';
import { adminSeedRoute, orderOutcomes, type CommandResult, type ServiceSpec } from '@saga/service';
import { decideAuthorize, decideVoid } from './domain/credit.ts';
import { paymentStore } from './store.ts';
import { paymentChoreography } from './choreography.ts';

export const CustomerSeed = z
  .array(z.object({ id: z.string().min(1).max(64), creditLimitCents: Cents }))
  .min(1)
  .max(10_000);

/** Applies the void decision for `orderId`'s hold (its rows locked first). */
const voidHold = async (
  store: ReturnType<typeof paymentStore>,
  orderId: string,
  outcome: OrderOutcome | undefined,
): Promise<CommandResult> => {
  const existing = await store.lockHold(orderId);
  if (existing) await store.lockCustomer(existing.customerId);
  const decision = decideVoid(existing, outcome);
  switch (decision.kind) {
    case 'refuse':
      return { result: { outcome: 'FAILURE', reason: decision.reason, detail: decision.detail } };
    case 'void':
      await store.void(decision.hold);
      break;
    case 'tombstone':
      await store.tombstone(orderId, '');
      break;
    case 'noop':
      break;
    default: {
      const unreachable: never = decision;
      throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
    }
  }
  return {
    result: { outcome: 'SUCCESS', data: { voidedCents: decision.kind === 'void' ? decision.hold.amountCents : 0 } },
  };
};

/** Payment: holds an order's amount against the customer's credit limit, voids exactly that hold. */
export const paymentService: ServiceSpec<'AuthorizePayment' | 'VoidPayment'> = {
  name: 'payment',
  commandTopic: Topics.paymentCommands,
  commandTypes: ['AuthorizePayment', 'VoidPayment'],
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  choreography: paymentChoreography,

  async handle(tx, command) {
    const store = paymentStore(tx);
    const { orderId } = command.payload;
    switch (command.type) {
      case 'AuthorizePayment': {
        const { customerId, amountCents } = command.payload;
        const decision = decideAuthorize(
          await store.lockCustomer(customerId),
          await store.lockHold(orderId),
          amountCents,
        );
        switch (decision.kind) {
          case 'hold':
            await store.hold(orderId, customerId, decision.amountCents);
            return { result: { outcome: 'SUCCESS', data: { heldCents: decision.amountCents } } };
          case 'already-held':
            return { result: { outcome: 'SUCCESS', data: { heldCents: decision.hold.amountCents } } };
          case 'refuse':
            return { result: { outcome: 'FAILURE', reason: decision.reason, detail: decision.detail } };
          default: {
            const unreachable: never = decision;
            throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
          }
        }
      }
      case 'VoidPayment':
        return voidHold(store, orderId, await orderOutcomes(tx).get(orderId));
      default: {
        const unreachable: never = command;
        throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  /** A rejected order holds no money, whoever forgot to void it; an approved one is never voided. */
  async onOrderOutcome(tx, event, ctx) {
    const store = paymentStore(tx);
    const { orderId } = event.payload;
    // The hold's row lock orders this against a VoidPayment of the same order in flight.
    await store.lockHold(orderId);
    await orderOutcomes(tx).record(orderId, event.type === 'OrderApproved' ? 'APPROVED' : 'REJECTED');
    // Under choreography the void is a reaction, with its budget and its event (ADR 0018).
    if (event.type === 'OrderRejected' && !ctx.choreography) await voidHold(store, orderId, 'REJECTED');
  },

  routes: (ctx) => (router) => {
    router.get('/customers/:id', async (req, res) => {
      const customer = await paymentStore(ctx.pool).customer(req.params.id);
      if (!customer) throw new HttpError(404, `no customer ${req.params.id}`);
      res.json(customer);
    });
    adminSeedRoute(router, '/admin/customers', ctx, CustomerSeed, (tx, customers) =>
      paymentStore(tx).upsertCustomers(customers),
    );
  },
};
