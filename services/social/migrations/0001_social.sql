-- Up Migration
-- Follow edges. A block is an edge too: follower = the blocked user, followee = who blocked them.
CREATE TABLE follows (
  follower_id text   NOT NULL,
  followee_id text   NOT NULL,
  state       text   NOT NULL CHECK (state IN ('requested', 'accepted', 'declined', 'removed', 'blocked')),
  updated_at  bigint NOT NULL,
  PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id, state, updated_at DESC);
CREATE INDEX follows_follower ON follows (follower_id, state, updated_at DESC);

-- Who may see what of an athlete; no row = DEFAULT_PRIVACY of the contracts.
CREATE TABLE privacy (
  athlete_id text   PRIMARY KEY,
  live       text   NOT NULL,
  sessions   text   NOT NULL,
  location   text   NOT NULL,
  updated_at bigint NOT NULL
);

-- Projection of user.coach.link.updated (the `coach` audience).
CREATE TABLE coach_links (
  athlete_id text    NOT NULL,
  coach_id   text    NOT NULL,
  active     boolean NOT NULL,
  updated_at bigint  NOT NULL,
  PRIMARY KEY (athlete_id, coach_id)
);

-- The activity feed: one row per training session, live until its summary arrives.
CREATE TABLE activities (
  activity_id text   PRIMARY KEY,
  actor_id    text   NOT NULL,
  state       text   NOT NULL CHECK (state IN ('live', 'completed')),
  sport       text   NOT NULL,
  started_at  bigint NOT NULL,
  summary     jsonb,
  revision    integer NOT NULL DEFAULT 0,
  updated_at  bigint NOT NULL
);
CREATE INDEX activities_actor ON activities (actor_id, started_at DESC, activity_id DESC);

CREATE TABLE kudos (
  activity_id text   NOT NULL REFERENCES activities ON DELETE CASCADE,
  user_id     text   NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (activity_id, user_id)
);

CREATE TABLE comments (
  id          uuid   PRIMARY KEY,
  activity_id text   NOT NULL REFERENCES activities ON DELETE CASCADE,
  author_id   text   NOT NULL,
  body        text   NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
  created_at  bigint NOT NULL
);
CREATE INDEX comments_activity ON comments (activity_id, created_at DESC, id DESC);
CREATE INDEX comments_author ON comments (author_id, created_at DESC);

-- Group rides: the owner invites, invitees join; joined members are the live leaderboard.
CREATE TABLE groups (
  group_id   uuid   PRIMARY KEY,
  owner_id   text   NOT NULL,
  name       text   NOT NULL,
  rank_by    text   NOT NULL,
  starts_at  bigint,
  updated_at bigint NOT NULL
);
CREATE INDEX groups_owner ON groups (owner_id);

CREATE TABLE group_members (
  group_id   uuid NOT NULL REFERENCES groups ON DELETE CASCADE,
  athlete_id text NOT NULL,
  state      text NOT NULL CHECK (state IN ('invited', 'joined')),
  PRIMARY KEY (group_id, athlete_id)
);
CREATE INDEX group_members_athlete ON group_members (athlete_id);
