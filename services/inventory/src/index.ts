export * from './achievements.js';
export * from './service.js';
