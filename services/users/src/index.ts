export * from './errors.js';
export * from './keys.js';
export * from './seed.js';
export * from './service.js';
