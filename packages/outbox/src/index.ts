export * from './outbox.ts';
export * from './inbox.ts';
export * from './relay.ts';
