import { z } from 'zod';
import { Cents, Id, Line, message } from './envelope.ts';
import { Topics } from './topics.ts';

export const ReserveStock = message('ReserveStock', z.object({ orderId: Id, lines: z.array(Line).min(1) }));
export const ReleaseStock = message('ReleaseStock', z.object({ orderId: Id }));
export const CommitStock = message('CommitStock', z.object({ orderId: Id }));
export const AuthorizePayment = message(
  'AuthorizePayment',
  z.object({ orderId: Id, customerId: Id, amountCents: Cents }),
);
export const VoidPayment = message('VoidPayment', z.object({ orderId: Id }));
export const ApproveOrder = message('ApproveOrder', z.object({ orderId: Id }));
export const RejectOrder = message('RejectOrder', z.object({ orderId: Id, reason: z.string().min(1).max(500) }));
export const SendNotification = message(
  'SendNotification',
  z.object({ orderId: Id, customerId: Id, kind: z.enum(['confirmed', 'rejected']) }),
);

export type ReserveStock = z.infer<typeof ReserveStock>;
export type ReleaseStock = z.infer<typeof ReleaseStock>;
export type CommitStock = z.infer<typeof CommitStock>;
export type AuthorizePayment = z.infer<typeof AuthorizePayment>;
export type VoidPayment = z.infer<typeof VoidPayment>;
export type ApproveOrder = z.infer<typeof ApproveOrder>;
export type RejectOrder = z.infer<typeof RejectOrder>;
export type SendNotification = z.infer<typeof SendNotification>;

export const Command = z.discriminatedUnion('type', [
  ReserveStock,
  ReleaseStock,
  CommitStock,
  AuthorizePayment,
  VoidPayment,
  ApproveOrder,
  RejectOrder,
  SendNotification,
]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];

/**
 * A saga step's command as it travels, whoever sends it and over whichever transport: the
 * command id is the message id, the same for every attempt, so the service deduplicates.
 */
export const commandEnvelope = (
  c: { commandId: string; sagaId: string; type: CommandType; payload: Record<string, unknown> },
  now: Date,
): Command =>
  ({
    messageId: c.commandId,
    sagaId: c.sagaId,
    occurredAt: now.toISOString(),
    type: c.type,
    payload: c.payload,
  }) as Command;
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** Which service handles a command, i.e. which `<service>.commands` topic it goes to. */
export const commandTopic = (type: CommandType): string => {
  switch (type) {
    case 'ReserveStock':
    case 'ReleaseStock':
    case 'CommitStock':
      return Topics.inventoryCommands;
    case 'AuthorizePayment':
    case 'VoidPayment':
      return Topics.paymentCommands;
    case 'ApproveOrder':
    case 'RejectOrder':
      return Topics.orderCommands;
    case 'SendNotification':
      return Topics.notificationCommands;
    default: {
      const unreachable: never = type;
      throw new Error(`no topic for command ${String(unreachable)}`);
    }
  }
};
