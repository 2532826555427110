import { kafkaTopics } from '@wattstream/contracts';
import { defineService } from '@wattstream/kernel';
import { socialConfig, socialPort } from './config.js';
import { consumeTraining } from './consumers/training.js';
import { consumeUserEvents } from './consumers/users.js';
import { activityRoutes } from './routes/activities.js';
import { followRoutes } from './routes/follows.js';
import { groupRoutes } from './routes/groups.js';
import { privacyRoutes } from './routes/privacy.js';

/**
 * The social service: follows, privacy (the live server's "who may watch whom" comes from its
 * events), the activity feed from training's sessions with kudos and comments, and group rides
 * (the live leaderboard's membership). Emits `social.follow.updated`, `social.privacy.updated`,
 * `friend.activity.updated` and `live.group.updated` through its outbox.
 */
export const socialService = defineService({
  name: 'social',
  description: 'follows, privacy, the activity feed, kudos, comments and group rides',
  port: socialPort,
  config: socialConfig,
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  kafka: true,
  outbox: true,
  async start(ctx) {
    ctx.produces(
      kafkaTopics.followUpdated,
      kafkaTopics.privacyUpdated,
      kafkaTopics.friendActivityUpdated,
      kafkaTopics.groupUpdated,
    );
    const auth = ctx.auth.required();
    followRoutes(ctx, auth);
    privacyRoutes(ctx, auth);
    activityRoutes(ctx, auth);
    groupRoutes(ctx, auth);
    const group = ctx.config.consumerGroup;
    consumeTraining(ctx, group);
    consumeUserEvents(ctx, group);
  },
});
