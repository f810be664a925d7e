export * from './backoff.ts';
export * from './client.ts';
export * from './ring.ts';
export * from './socket.ts';
export * from './state.ts';
export * from './symbol-data.ts';
