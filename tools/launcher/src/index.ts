export * from './config.js';
export * from './node-service.js';
export * from './observe.js';
export * from './pipeline.js';
export * from './supervisor.js';
