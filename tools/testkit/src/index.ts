export * from './contracts/consumer.js';
export * from './contracts/outbox.js';
export * from './kafka.js';
export * from './openapi.js';
export * from './service-process.js';
export * from './wait.js';
