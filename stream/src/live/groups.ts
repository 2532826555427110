import { compile, GroupUpdated } from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import type { KafkaClient, Logger } from '@wattstream/platform';

const validator = compile(GroupUpdated);

/** Every live group, from the compacted `live.group.updated`: each live node has all of them. */
export class GroupStore {
  readonly groups = new Map<string, GroupUpdated>();
  private readonly reader: TopicReader;
  private readonly waiters = new Map<string, { updatedAt: number; resolve: () => void }[]>();
  /** called when a group is created, changed or deleted */
  onChange: (groupId: string) => void = () => {};

  constructor(kafka: KafkaClient, topic: string, name: string, logger: Logger) {
    this.reader = new TopicReader(kafka, topic, name, logger, (key, value) => {
      if (value === null) {
        this.groups.delete(key);
        this.onChange(key);
        return;
      }
      const r = validator.validateJson(value);
      if (!r.ok) {
        logger.warn({ key, reason: r.error.message }, 'group record ignored');
        return;
      }
      this.groups.set(r.value.groupId, r.value);
      this.onChange(r.value.groupId);
      const ws = this.waiters.get(r.value.groupId);
      if (ws) {
        const left = ws.filter((w) => {
          if (r.value.updatedAt >= w.updatedAt) {
            w.resolve();
            return false;
          }
          return true;
        });
        if (left.length > 0) this.waiters.set(r.value.groupId, left);
        else this.waiters.delete(r.value.groupId);
      }
    });
  }

  get(groupId: string): GroupUpdated | undefined {
    return this.groups.get(groupId);
  }

  /** Resolves when this node has read the group at `updatedAt` or later (read-your-writes). */
  seen(groupId: string, updatedAt: number, timeoutMs: number): Promise<boolean> {
    const g = this.groups.get(groupId);
    if (g && g.updatedAt >= updatedAt) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.waiters.get(groupId) ?? [];
      list.push({
        updatedAt,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
      this.waiters.set(groupId, list);
    });
  }

  start(): Promise<void> {
    return this.reader.start();
  }
  caughtUp(timeoutMs: number): Promise<boolean> {
    return this.reader.caughtUp(timeoutMs);
  }
  stop(): Promise<void> {
    return this.reader.stop();
  }
}
