#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { compileRouteTable } from './route-table/compile.js';
import { defaultRouteTable } from './route-table/default-table.js';
import { gatewayService } from './service.js';

const program = new Command('gateway').description('wattstream API gateway');
addServiceCommands(program, gatewayService);

program
  .command('routes')
  .description('print the built-in route table as JSON (a starting point for GATEWAY_ROUTES_FILE)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(defaultRouteTable, null, 2)}\n`);
  });

program
  .command('check-routes')
  .description('validate a route table file the way a running gateway would, and exit')
  .argument('<file>')
  .action((file: string) => {
    const table = compileRouteTable(JSON.parse(readFileSync(file, 'utf8')), {});
    process.stdout.write(`${file}: ${table.routes.length} routes, valid\n`);
  });

await runCli(program);
