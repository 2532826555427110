#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { webService } from './service.js';

await runCli(addServiceCommands(new Command('web').description("wattstream athlete's pages"), webService));
