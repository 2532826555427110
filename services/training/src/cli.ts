#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { trainingService } from './service.js';

await runCli(addServiceCommands(new Command('training').description('wattstream training service'), trainingService));
