export * from './errors.js';
export * from './export/fit.js';
export * from './export/gpx.js';
export * from './export/tcx.js';
export * from './service.js';
export * from './store/history.js';
