#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { inventoryService } from './service.js';

await runCli(
  addServiceCommands(new Command('inventory').description('wattstream inventory service'), inventoryService),
);
