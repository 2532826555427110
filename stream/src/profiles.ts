import { compile, ProfileUpdated } from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import { type Profile, profileFromEvent } from '@wattstream/metrics';
import type { KafkaClient, Logger } from '@wattstream/platform';
import { StreamErrorCode } from './errors.js';

const validator = compile(ProfileUpdated);

/** Every athlete's profile, from the compacted `user.profile.updated` (latest per key wins). */
export class ProfileStore {
  readonly profiles = new Map<string, Profile>();
  private readonly reader: TopicReader;
  invalid = 0;

  constructor(kafka: KafkaClient, topic: string, name: string, logger: Logger) {
    this.reader = new TopicReader(kafka, topic, name, logger, (key, value) => {
      if (value === null) {
        this.profiles.delete(key);
        return;
      }
      const r = validator.validateJson(value);
      if (!r.ok) {
        this.invalid++;
        logger.warn({ code: StreamErrorCode.BadProfile, key, reason: r.error.message }, 'profile record ignored');
        return;
      }
      this.profiles.set(r.value.athleteId, profileFromEvent(r.value));
    });
  }

  get(athleteId: string): Profile | undefined {
    return this.profiles.get(athleteId);
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
