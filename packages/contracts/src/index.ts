export * from './topics.ts';
export * from './envelope.ts';
export * from './commands.ts';
export * from './replies.ts';
export * from './events.ts';
export * from './text.ts';
export * from './operator.ts';
export * from './choreography.ts';
