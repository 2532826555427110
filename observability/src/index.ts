export * from './dashboards.js';
export * from './doctor.js';
export * from './render.js';
export * from './rules.js';
export * from './trace.js';
