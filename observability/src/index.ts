export * from './render.js';
export * from './rules.js';
