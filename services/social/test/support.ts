import { fileURLToPath } from 'node:url';
import { kafkaTopics } from '@wattstream/contracts';
import { startTestService, testServiceProcess } from '@wattstream/testkit';

export { summarizedEvent } from '@wattstream/testkit';

import { socialService } from '../src/service.js';

export { api, signUp, startUsers, type Users, usersAndDatabase } from '../../users/test/support.js';

export const socialCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const harness = {
  name: 'social',
  definition: socialService,
  cli: socialCli,
  portEnv: 'SOCIAL_PORT',
  groupEnv: 'SOCIAL_CONSUMER_GROUP',
};
export type Social = Awaited<ReturnType<typeof startSocial>>;

/** The social service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export const startSocial = (jwksUrl: string, env: Record<string, string> = {}) =>
  startTestService(harness, jwksUrl, env);

/** The social service as a child process (for kill -9), on a free port. */
export const socialProcess = (env: Record<string, string>) => testServiceProcess(harness, env);

export const SUMMARIZED = kafkaTopics.sessionSummarized.name;
