import { describe } from 'vitest';
import { smokeSuite } from './smoke-suite.js';

describe('benchmark smoke run: brokers and ingest', () => {
  smokeSuite('brokers');
});
