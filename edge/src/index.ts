export * from './decoders/index.js';
