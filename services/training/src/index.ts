export * from './errors.js';
export * from './fit.js';
export * from './formats/erg.js';
export * from './formats/zwo.js';
export * from './service.js';
export * from './workouts.js';
