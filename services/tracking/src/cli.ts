#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { trackingService } from './service.js';

await runCli(addServiceCommands(new Command('tracking').description('wattstream tracking service'), trackingService));
