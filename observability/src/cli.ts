#!/usr/bin/env node
import { DASHBOARDS_DIR, RULES_FILE, rulesCurrent, writeDashboards, writeRules } from './render.js';

const [command = 'write'] = process.argv.slice(2);
if (command === 'write') {
  writeRules();
  console.log(`wrote ${RULES_FILE}`);
  console.log(`wrote ${writeDashboards().length} dashboards to ${DASHBOARDS_DIR}`);
} else if (command === 'check') {
  if (!rulesCurrent()) {
    console.error(`${RULES_FILE} is stale: run pnpm --filter @wattstream/observability generate`);
    process.exit(1);
  }
  console.log('rules current');
} else {
  console.error('usage: observability write|check');
  process.exit(2);
}
