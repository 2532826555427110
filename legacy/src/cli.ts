#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { legacyService } from './service.js';

await runCli(addServiceCommands(new Command('legacy').description('the legacy monolith'), legacyService));
