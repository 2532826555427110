export * from './profile.js';
export * from './recording.js';
export * from './session.js';
