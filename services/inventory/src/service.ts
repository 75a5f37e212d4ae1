import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Topics } from '@saga/contracts';
import { HttpError } from '@saga/http';
import { adminSeedRoute, orderOutcomes, type CommandResult, type ServiceSpec } from '@saga/service';
import { decideCommit, decideRelease, decideReserve, mergeLines, type SettleDecision } from './domain/stock.ts';
import { inventoryStore } from './store.ts';
import { inventoryChoreography } from './choreography.ts';

export const StockSeed = z
  .array(z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().positive().max(10_000_000) }))
  .min(1)
  .max(10_000);

const success = (data: Record<string, unknown> = {}): CommandResult => ({ result: { outcome: 'SUCCESS', data } });

/** Applies a release or commit decision: moves exactly the saga's reserved lines, or refuses. */
const settle = async (
  store: ReturnType<typeof inventoryStore>,
  orderId: string,
  decision: SettleDecision,
  to: 'RELEASED' | 'COMMITTED',
): Promise<CommandResult> => {
  if (decision.kind === 'refuse')
    return { result: { outcome: 'FAILURE', reason: decision.reason, detail: decision.detail } };
  await store.lockProducts(decision.lines.map((l) => l.sku));
  await store.settle(orderId, decision.lines, to);
  return success(to === 'RELEASED' ? { released: decision.lines } : { committed: decision.lines });
};

/** Inventory: reserves every line of an order or none, releases or commits exactly what it reserved. */
export const inventoryService: ServiceSpec<'ReserveStock' | 'ReleaseStock' | 'CommitStock'> = {
  name: 'inventory',
  commandTopic: Topics.inventoryCommands,
  commandTypes: ['ReserveStock', 'ReleaseStock', 'CommitStock'],
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  choreography: inventoryChoreography,

  async handle(tx, command) {
    const store = inventoryStore(tx);
    const { orderId } = command.payload;
    switch (command.type) {
      case 'ReserveStock': {
        const lines = mergeLines(command.payload.lines);
        const stock = await store.lockProducts(lines.map((l) => l.sku));
        const decision = decideReserve(
          command.payload.lines,
          stock,
          await store.reservations(orderId),
          await store.isReleased(orderId),
        );
        switch (decision.kind) {
          case 'reserve':
            await store.reserve(orderId, decision.lines);
            return success({ reserved: decision.lines });
          case 'already-reserved':
            return success({ reserved: decision.lines });
          case 'refuse':
            return { result: { outcome: 'FAILURE', reason: decision.reason, detail: decision.detail } };
          default: {
            const unreachable: never = decision;
            throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
          }
        }
      }
      case 'ReleaseStock':
        return settle(
          store,
          orderId,
          decideRelease(await store.reservations(orderId), await orderOutcomes(tx).get(orderId)),
          'RELEASED',
        );
      case 'CommitStock': {
        const existing = await store.reservations(orderId);
        return settle(
          store,
          orderId,
          decideCommit(existing, await orderOutcomes(tx).get(orderId), await store.isReleased(orderId)),
          'COMMITTED',
        );
      }
      default: {
        const unreachable: never = command;
        throw new Error(`unhandled command ${JSON.stringify(unreachable)}`);
      }
    }
  },

  /** A rejected order holds nothing, whoever forgot to release it; an approved one is never released. */
  async onOrderOutcome(tx, event, ctx) {
    const store = inventoryStore(tx);
    const { orderId } = event.payload;
    // The reservations' row locks order this against a ReleaseStock/CommitStock of the same order in flight.
    const existing = await store.reservations(orderId);
    await orderOutcomes(tx).record(orderId, event.type === 'OrderApproved' ? 'APPROVED' : 'REJECTED');
    // Under choreography the release is a reaction (after the payment is voided: reverse order, ADR 0018).
    if (event.type === 'OrderRejected' && !ctx.choreography)
      await settle(store, orderId, decideRelease(existing, 'REJECTED'), 'RELEASED');
  },

  routes: (ctx) => (router) => {
    router.get('/products/:sku', async (req, res) => {
      const product = await inventoryStore(ctx.pool).product(req.params.sku);
      if (!product) throw new HttpError(404, `no product ${req.params.sku}`);
      res.json(product);
    });
    adminSeedRoute(router, '/admin/stock', ctx, StockSeed, (tx, lines) =>
      inventoryStore(tx).addStock(mergeLines(lines)),
    );
  },
};
