export * from './delivery/webhook.js';
export * from './errors.js';
export * from './kinds.js';
export * from './notify.js';
export * from './service.js';
export * from './templates/index.js';
