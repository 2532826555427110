#!/usr/bin/env node
import { simAthleteIds } from '@wattstream/contracts';
import { addServiceCommands, Command, runCli, startService } from '@wattstream/kernel';
import { fleetAthletes, seedAthletes, seedCoach } from './seed.js';
import { usersService } from './service.js';
import { addRole, contactEvent, type UserRow, userByEmail } from './store/users.js';

const program = new Command('users').description('wattstream users service');
addServiceCommands(program, usersService);

program
  .command('seed-fleet')
  .description(
    "create the simulated fleet's athletes (ids sim-0001 …) with profiles and their coach (coach@fleet.wattstream.local), if missing",
  )
  .option('--count <n>', 'athletes', '12')
  .requiredOption('--password <password>', 'their (development) password')
  .action(async (o: { count: string; password: string }) => {
    const svc = await startService(usersService, { mode: 'tool' });
    try {
      const ids = simAthleteIds(Number(o.count));
      const created = await seedAthletes(svc.ctx, fleetAthletes(ids), o.password);
      const linked = await seedCoach(svc.ctx, ids, o.password);
      process.stdout.write(`${JSON.stringify({ created: created.length, coachLinked: linked })}\n`);
    } finally {
      await svc.stop('seeded');
    }
  });

program
  .command('grant')
  .description('give an account a role (operators only: roles are never self-assigned)')
  .requiredOption('--email <email>')
  .requiredOption('--role <role>', 'coach or admin')
  .action(async (o: { email: string; role: string }) => {
    if (o.role !== 'coach' && o.role !== 'admin') throw new Error('--role must be coach or admin');
    const svc = await startService(usersService, { mode: 'tool' });
    try {
      const u = await userByEmail(svc.ctx.db, o.email);
      if (!u) throw new Error(`no account ${o.email}`);
      const updated = await addRole(svc.ctx.db, u.id, o.role);
      process.stdout.write(`${JSON.stringify({ id: u.id, roles: updated?.roles })}\n`);
    } finally {
      await svc.stop('granted');
    }
  });

program
  .command('rotate-keys')
  .description('start signing with a new key; --revoke-previous refuses tokens of the old one at once')
  .option('--revoke-previous', 'the old key leaked: its tokens stop working now')
  .action(async (o: { revokePrevious?: boolean }) => {
    const svc = await startService(usersService, { mode: 'tool' });
    try {
      const r = await svc.result.keys.rotate({ revokePrevious: o.revokePrevious ?? false });
      process.stdout.write(`${JSON.stringify(r)}\n`);
    } finally {
      await svc.stop('rotated');
    }
  });

program
  .command('publish-contacts')
  .description(
    'write user.contact.updated for every account to the outbox (a serving replica publishes it): fills the compacted topic for accounts made before it existed',
  )
  .action(async () => {
    const svc = await startService(usersService, { mode: 'tool' });
    try {
      let n = 0;
      await svc.ctx.tx(async (tx) => {
        const { rows } = await tx.query<UserRow>('SELECT * FROM users ORDER BY id');
        for (let i = 0; i < rows.length; i += 500) {
          await svc.ctx.outbox.enqueue(tx, ...rows.slice(i, i + 500).map(contactEvent));
        }
        n = rows.length;
      });
      process.stdout.write(`${JSON.stringify({ contacts: n })}\n`);
    } finally {
      await svc.stop('published');
    }
  });

await runCli(program);
