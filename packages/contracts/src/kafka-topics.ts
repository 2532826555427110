import type { TSchema } from '@sinclair/typebox';
import { GroupUpdated } from './events/groups.js';
import { IntegrationSyncFailed } from './events/integration.js';
import { GearServiceDue, InventoryUpdated } from './events/inventory.js';
import { NotificationLive } from './events/notifications.js';
import { ProfileUpdated } from './events/profile.js';
import { MetricsRejected } from './events/rejected.js';
import { FollowUpdated, FriendActivityUpdated, PrivacyUpdated } from './events/social.js';
import { StatsUpdated } from './events/stats.js';
import { AthleteStateSnapshot } from './events/stream-state.js';
import {
  SamplesImported,
  SessionSummarized,
  TrainingCompleted,
  TrainingStarted,
  WorkoutAssigned,
} from './events/training.js';
import { AccountDeleted, CoachLinkUpdated, ContactUpdated, EdgeUpdated } from './events/users.js';
import { MetricsReceived } from './samples.js';

export interface KafkaTopicContract {
  /** Topic name; also the CloudEvents `ce_type` of its records. */
  readonly name: string;
  readonly description: string;
  /** What the record key holds. */
  readonly key: string;
  readonly value: TSchema;
  /** How `ce_id` is formed, for consumers that de-duplicate. */
  readonly ceId: string;
  readonly ceSource: string;
  readonly producer: string;
  /** Topic configs applied at creation; partitions default to the platform's setting. */
  readonly configs: Readonly<Record<string, string>>;
  readonly partitions?: number;
}

const DAY_MS = 86_400_000;
const deleteAfter = (days: number) => ({ 'cleanup.policy': 'delete', 'retention.ms': String(days * DAY_MS) });
const compacted = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' };

export const kafkaTopics = {
  metricsReceived: {
    name: 'tracking.metrics.received',
    description: 'Validated sample batches from edges, in publish order per device.',
    key: 'athleteId',
    value: MetricsReceived,
    // One identity for a batch, formed by metricsReceivedCeId: see batch-identity.ts.
    ceId: '{athleteId}/{deviceId}/{seq}/{contentHash}',
    ceSource: '/edges/{edgeId}',
    producer: 'ingest',
    configs: { ...deleteAfter(7), 'max.message.bytes': '1048576' },
  },
  metricsRejected: {
    name: 'tracking.metrics.rejected',
    description: 'MQTT publishes ingest refused, with the reason and the original payload.',
    key: 'edgeId',
    value: MetricsRejected,
    ceId: '{edgeId}:{receivedAt}:{n}',
    ceSource: '/ingest/{instance}',
    producer: 'ingest',
    configs: { ...deleteAfter(14), 'max.message.bytes': '1048576' },
  },
  statsUpdated: {
    name: 'tracking.stats.updated',
    description: 'Live per-athlete statistics, coalesced to at most 4 per second per athlete.',
    key: 'athleteId',
    value: StatsUpdated,
    ceId: '{athleteId}:{seq}',
    ceSource: '/stream',
    producer: 'stream',
    configs: deleteAfter(1),
  },
  trainingStarted: {
    name: 'training.started',
    description: 'A training session started.',
    key: 'athleteId',
    value: TrainingStarted,
    ceId: '{sessionId}',
    ceSource: '/stream',
    producer: 'stream',
    configs: deleteAfter(30),
  },
  trainingCompleted: {
    name: 'training.completed',
    description: 'A training session ended; carries its summary.',
    key: 'athleteId',
    value: TrainingCompleted,
    ceId: '{sessionId}',
    ceSource: '/stream',
    producer: 'stream',
    configs: deleteAfter(30),
  },
  sessionSummarized: {
    name: 'training.session.summarized',
    description:
      "A session's summary as the training service keeps it (live, uploaded or imported); re-emitted with a higher revision when it changes.",
    key: 'athleteId',
    value: SessionSummarized,
    ceId: '{sessionId}:{revision}',
    ceSource: '/training',
    producer: 'training',
    configs: deleteAfter(30),
  },
  workoutAssigned: {
    name: 'training.workout.assigned',
    description: "Workouts planned on (or removed from) athletes' calendars.",
    key: 'athleteId',
    value: WorkoutAssigned,
    ceId: '{assignmentId}:{updatedAt}',
    ceSource: '/training',
    producer: 'training',
    configs: deleteAfter(30),
  },
  samplesImported: {
    name: 'training.samples.imported',
    description: 'Samples of uploaded sessions, in chunks of up to 1000, for the tracking history.',
    key: 'athleteId',
    value: SamplesImported,
    ceId: '{sessionId}:{chunk}',
    ceSource: '/training',
    producer: 'training',
    configs: { ...deleteAfter(7), 'max.message.bytes': '1048576' },
  },
  profileUpdated: {
    name: 'user.profile.updated',
    description: "Athletes' training profiles; compacted, the latest per athlete wins.",
    key: 'athleteId',
    value: ProfileUpdated,
    ceId: '{athleteId}:{updatedAt}',
    ceSource: '/users',
    producer: 'users',
    configs: compacted,
  },
  accountDeleted: {
    name: 'user.account.deleted',
    description: 'Users who deleted their account; every service erases what it keeps of them.',
    key: 'userId',
    value: AccountDeleted,
    ceId: 'random UUID per deletion',
    ceSource: '/users',
    producer: 'users',
    configs: deleteAfter(30),
  },
  coachLinkUpdated: {
    name: 'user.coach.link.updated',
    description: 'Coach ↔ athlete links as they begin and end; compacted per athlete and coach.',
    key: 'athleteId',
    value: CoachLinkUpdated,
    ceId: '{athleteId}:{coachId}:{updatedAt}',
    ceSource: '/users',
    producer: 'users',
    configs: { ...deleteAfter(3650) },
  },
  edgeUpdated: {
    name: 'user.edge.updated',
    description: "Athletes' edges: registered, re-credentialed or revoked; compacted, the latest per edge wins.",
    key: 'edgeId',
    value: EdgeUpdated,
    ceId: '{edgeId}:{updatedAt}',
    ceSource: '/users',
    producer: 'users',
    configs: compacted,
  },
  contactUpdated: {
    name: 'user.contact.updated',
    description:
      "Users' e-mail, display name, locale and time zone; compacted, the latest per user wins, a tombstone on erasure.",
    key: 'userId',
    value: ContactUpdated,
    ceId: '{userId}:{updatedAt}',
    ceSource: '/users',
    producer: 'users',
    configs: compacted,
  },
  inventoryUpdated: {
    name: 'user.inventory.updated',
    description: "Users' equipment changes.",
    key: 'userId',
    value: InventoryUpdated,
    ceId: '{itemId}:{updatedAt}',
    ceSource: '/inventory',
    producer: 'inventory',
    configs: deleteAfter(30),
  },
  gearServiceDue: {
    name: 'inventory.gear.service.due',
    description: 'Gear that reached its service distance; notifications reminds the owner.',
    key: 'userId',
    value: GearServiceDue,
    ceId: '{itemId}:{occurredAt}',
    ceSource: '/inventory',
    producer: 'inventory',
    configs: deleteAfter(30),
  },
  friendActivityUpdated: {
    name: 'friend.activity.updated',
    description: "Users' activity changes, fanned out to followers by social.",
    key: 'actorId',
    value: FriendActivityUpdated,
    ceId: '{activityId}:{verb}',
    ceSource: '/social',
    producer: 'social',
    configs: deleteAfter(30),
  },
  integrationSyncFailed: {
    name: 'integration.sync.failed',
    description: 'Failed syncs with third-party providers.',
    key: 'userId',
    value: IntegrationSyncFailed,
    ceId: '{provider}:{userId}:{failedAt}',
    ceSource: '/integrations',
    producer: 'integrations',
    configs: deleteAfter(30),
  },
  groupUpdated: {
    name: 'live.group.updated',
    description: 'Live groups (group rides, races) and their members; compacted, the latest per group wins.',
    key: 'groupId',
    value: GroupUpdated,
    ceId: '{groupId}:{updatedAt}',
    ceSource: '/live',
    producer: 'social (groups API); the live server (PUT /v1/groups/{id}) until social serves it',
    configs: compacted,
  },
  followUpdated: {
    name: 'social.follow.updated',
    description: 'Follow edges between users (requested, accepted, declined, removed, blocked).',
    key: 'followeeId',
    value: FollowUpdated,
    ceId: '{followeeId}:{followerId}:{updatedAt}',
    ceSource: '/social',
    producer: 'social',
    configs: deleteAfter(3650),
  },
  privacyUpdated: {
    name: 'social.privacy.updated',
    description: "Athletes' privacy settings; compacted, the latest per athlete wins.",
    key: 'athleteId',
    value: PrivacyUpdated,
    ceId: '{athleteId}:{updatedAt}',
    ceSource: '/social',
    producer: 'social',
    configs: compacted,
  },
  notificationLive: {
    name: 'notifications.live',
    description: "Notifications for users' open live connections (channel user:{userId}).",
    key: 'userId',
    value: NotificationLive,
    ceId: '{notificationId}',
    ceSource: '/notifications',
    producer: 'notifications',
    configs: deleteAfter(1),
  },
  athleteState: {
    name: 'stream.athlete.state',

    description:
      "The stream worker's per-athlete state changelog; compacted, written transactionally with the input offsets. " +
      'Same partition count as tracking.metrics.received (partition p holds the state of input partition p).',
    key: 'athleteId',
    value: AthleteStateSnapshot,
    ceId: '{athleteId}:{updatedAt}',
    ceSource: '/stream',
    producer: 'stream',
    configs: { ...compacted, 'max.message.bytes': '1048576' },
  },
} as const satisfies Record<string, KafkaTopicContract>;

export type KafkaTopicKey = keyof typeof kafkaTopics;
export const KAFKA_TOPICS: readonly KafkaTopicContract[] = Object.values(kafkaTopics);
export const TOPIC = Object.fromEntries(Object.entries(kafkaTopics).map(([k, v]) => [k, v.name])) as {
  [K in KafkaTopicKey]: (typeof kafkaTopics)[K]['name'];
};
