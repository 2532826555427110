export * from './auth/identity.js';
export * from './errors.js';
export * from './openapi/merge.js';
export * from './route-table/compile.js';
export * from './route-table/default-table.js';
export * from './route-table/schema.js';
export * from './service.js';
