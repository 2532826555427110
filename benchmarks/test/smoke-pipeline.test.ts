import { describe } from 'vitest';
import { smokeSuite } from './smoke-suite.js';

describe('benchmark smoke run: stream, fan-out, edge and the pipeline', () => {
  smokeSuite('pipeline');
});
