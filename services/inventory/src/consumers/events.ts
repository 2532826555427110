import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { ftpUnlock } from '../achievements.js';
import { applySession, eraseUser, unlock } from '../store/usage.js';

/**
 * Sessions onto gear (and their achievements), new best FTPs from profiles, and erasure. Each
 * idempotent by the kernel's processed-event record, and by the session revision / the
 * achievement code it carries.
 */
export function consumeEvents(ctx: ServiceContext<unknown>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.sessionSummarized,
    async handle(event, tx) {
      if (event.value && tx) await ctx.outbox.enqueue(tx, ...(await applySession(tx, event.value)));
    },
  });
  ctx.consume({
    group,
    topic: kafkaTopics.profileUpdated,
    async handle(event, tx) {
      const p = event.value;
      if (!p || !tx) return;
      const prev = await tx.query<{ ftp: number }>('SELECT ftp FROM ftp_best WHERE athlete_id = $1 FOR UPDATE', [
        p.athleteId,
      ]);
      const best = prev.rows[0]?.ftp;
      const u = ftpUnlock(best, p.ftp);
      if (best === undefined || p.ftp > best) {
        await tx.query(
          'INSERT INTO ftp_best (athlete_id, ftp) VALUES ($1, $2) ON CONFLICT (athlete_id) DO UPDATE SET ftp = $2',
          [p.athleteId, p.ftp],
        );
      }
      if (u) await ctx.outbox.enqueue(tx, ...(await unlock(tx, p.athleteId, [u], null)));
    },
  });
  ctx.consume({
    group,
    topic: kafkaTopics.accountDeleted,
    async handle(event, tx) {
      if (event.value && tx) await eraseUser(tx, event.value.userId);
    },
  });
}
