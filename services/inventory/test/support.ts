import { fileURLToPath } from 'node:url';
import { kafkaTopics } from '@wattstream/contracts';
import { startTestService, testServiceProcess } from '@wattstream/testkit';

export { summarizedEvent } from '@wattstream/testkit';

import { inventoryService } from '../src/service.js';

export { api, signUp, startUsers, type Users, usersAndDatabase } from '../../users/test/support.js';

export const inventoryCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const harness = {
  name: 'inventory',
  definition: inventoryService,
  cli: inventoryCli,
  portEnv: 'INVENTORY_PORT',
  groupEnv: 'INVENTORY_CONSUMER_GROUP',
};
export type Inventory = Awaited<ReturnType<typeof startInventory>>;

/** The inventory service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export const startInventory = (jwksUrl: string, env: Record<string, string> = {}) =>
  startTestService(harness, jwksUrl, env);

/** The inventory service as a child process (for kill -9), on a free port. */
export const inventoryProcess = (env: Record<string, string>) => testServiceProcess(harness, env);

export const SUMMARIZED = kafkaTopics.sessionSummarized.name;
