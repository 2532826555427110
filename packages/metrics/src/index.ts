export * from './profile.js';
export * from './session.js';
