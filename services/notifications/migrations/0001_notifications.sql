-- Up Migration

-- Projection of user.contact.updated (the latest per user wins).
CREATE TABLE contacts (
  user_id      text        PRIMARY KEY,
  email        text        NOT NULL,
  display_name text,
  locale       text        NOT NULL,
  time_zone    text        NOT NULL,
  updated_at   bigint      NOT NULL
);

-- Projection of social.follow.updated (the latest updatedAt per pair wins).
CREATE TABLE follows (
  followee_id text   NOT NULL,
  follower_id text   NOT NULL,
  state       text   NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (followee_id, follower_id)
);
CREATE INDEX follows_accepted ON follows (followee_id) WHERE state = 'accepted';
CREATE INDEX follows_follower ON follows (follower_id);

CREATE TABLE preferences (
  user_id     text        PRIMARY KEY,
  channels    jsonb       NOT NULL,
  kinds       jsonb       NOT NULL,
  quiet_start smallint,
  quiet_end   smallint,
  digest      text        NOT NULL,
  version     integer     NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE webhook_endpoints (
  id                   uuid        PRIMARY KEY,
  user_id              text        NOT NULL,
  url                  text        NOT NULL,
  description          text,
  kinds                text[],
  secret               text        NOT NULL,
  enabled              boolean     NOT NULL DEFAULT true,
  consecutive_failures integer     NOT NULL DEFAULT 0,
  disabled_reason      text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  last_success_at      timestamptz,
  last_failure_at      timestamptz
);
CREATE INDEX webhook_endpoints_user ON webhook_endpoints (user_id);

-- One notification per (source event, recipient, kind): its id is derived from the three.
CREATE TABLE notifications (
  id          text        PRIMARY KEY,
  user_id     text        NOT NULL,
  kind        text        NOT NULL,
  source_id   text        NOT NULL,
  -- the other user the notification is about (a friend, a follower), erased with them
  actor_id    text,
  priority    text        NOT NULL,
  params      jsonb       NOT NULL,
  title       text        NOT NULL,
  body        text        NOT NULL,
  locale      text        NOT NULL,
  link        text,
  event_time  timestamptz NOT NULL,
  -- millisecond precision: list cursors carry it as an ISO string
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_source ON notifications (source_id);
CREATE INDEX notifications_actor ON notifications (actor_id) WHERE actor_id IS NOT NULL;

-- E-mail and webhook deliveries: the queue. A replica claims due rows with FOR UPDATE SKIP LOCKED
-- and a lease (state sending, lease_until, claim token); only the holder of the token records the
-- outcome. A replica that dies mid-send leaves the row to be claimed again once the lease ends.
CREATE TABLE deliveries (
  id              bigserial   PRIMARY KEY,
  notification_id text        NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  user_id         text        NOT NULL,
  channel         text        NOT NULL CHECK (channel IN ('email', 'webhook')),
  endpoint_id     uuid        REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  digest          boolean     NOT NULL DEFAULT false,
  state           text        NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  claim           uuid,
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (notification_id, channel, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (channel, next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX deliveries_endpoint_due ON deliveries (endpoint_id, next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX deliveries_user ON deliveries (user_id);
