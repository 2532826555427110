#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { notificationsService } from './service.js';

await runCli(
  addServiceCommands(
    new Command('notifications').description('wattstream notifications service'),
    notificationsService,
  ),
);
