export * from './contracts/consumer.js';
export * from './contracts/outbox.js';
export * from './fit.js';
export * from './fit-encode.js';
export * from './kafka.js';
export * from './openapi.js';
export * from './service-process.js';
export * from './wait.js';
