export * from './worker/metrics.js';
export * from './worker/part.js';
export * from './worker/partitions.js';
export * from './worker/restore.js';
export * from './worker/service.js';
export * from './worker/stats.js';
export * from './worker/transaction.js';
