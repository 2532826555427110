#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { socialService } from './service.js';

await runCli(addServiceCommands(new Command('social').description('wattstream social service'), socialService));
