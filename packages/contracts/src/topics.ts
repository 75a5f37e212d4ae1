/** Every Kafka topic the workbench uses, in one place. Services and coordinators import these. */
export const Topics = {
  orderCommands: 'order.commands',
  inventoryCommands: 'inventory.commands',
  paymentCommands: 'payment.commands',
  notificationCommands: 'notification.commands',
  sagaReplies: 'saga.replies',
  orderEvents: 'order.events',
  inventoryEvents: 'inventory.events',
  paymentEvents: 'payment.events',
  notificationEvents: 'notification.events',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Where a consumer parks a message it cannot parse or whose handler kept failing. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Partitions for the topics that carry saga traffic (keyed by saga id). */
export const SAGA_PARTITIONS = 8;

export interface TopicSpec {
  topic: string;
  partitions: number;
}

/** The topics the stack creates: every saga topic with its dead-letter topic. */
export const topicSpecs = (prefix = '', partitions = SAGA_PARTITIONS): TopicSpec[] =>
  Object.values(Topics).flatMap((t) => [
    { topic: prefix + t, partitions },
    { topic: deadLetterTopic(prefix + t), partitions: 1 },
  ]);
