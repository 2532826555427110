-- Up Migration
-- Gear and what it has done. A chain counts the sessions of its bike.
CREATE TABLE gear (
  id               uuid             PRIMARY KEY,
  owner_id         text             NOT NULL,
  kind             text             NOT NULL CHECK (kind IN ('bike', 'trainer', 'shoes', 'chain')),
  sport            text             NOT NULL,
  name             text             NOT NULL,
  brand            text,
  model            text,
  bike_id          uuid             REFERENCES gear ON DELETE SET NULL,
  is_default       boolean          NOT NULL DEFAULT false,
  retired          boolean          NOT NULL DEFAULT false,
  distance_m       double precision NOT NULL DEFAULT 0,
  time_s           double precision NOT NULL DEFAULT 0,
  sessions         integer          NOT NULL DEFAULT 0,
  service_every_m  double precision,
  serviced_at_m    double precision NOT NULL DEFAULT 0,
  -- the service interval (counted from serviced_at_m) whose reminder went out; 0 = none yet
  reminded_cycle   integer          NOT NULL DEFAULT 0,
  created_at       bigint           NOT NULL,
  updated_at       bigint           NOT NULL
);
CREATE INDEX gear_owner ON gear (owner_id);
CREATE UNIQUE INDEX gear_one_default ON gear (owner_id, sport) WHERE is_default AND kind <> 'chain';

-- The sessions counted, and on which gear: a new revision of a session replaces its usage.
CREATE TABLE sessions (
  session_id  text    PRIMARY KEY,
  athlete_id  text    NOT NULL,
  started_at  bigint  NOT NULL,
  duration_s  double precision NOT NULL,
  distance_m  double precision NOT NULL,
  revision    integer NOT NULL
);
CREATE INDEX sessions_athlete ON sessions (athlete_id, started_at);

CREATE TABLE usage (
  session_id text NOT NULL REFERENCES sessions ON DELETE CASCADE,
  gear_id    uuid NOT NULL REFERENCES gear ON DELETE CASCADE,
  distance_m double precision NOT NULL,
  time_s     double precision NOT NULL,
  PRIMARY KEY (session_id, gear_id)
);

-- Virtual items unlocked by rules; the code is the idempotency key (first-100km, 10h-month:2026-11, ftp:300).
CREATE TABLE achievements (
  user_id     text   NOT NULL,
  code        text   NOT NULL,
  title       text   NOT NULL,
  session_id  text,
  unlocked_at bigint NOT NULL,
  PRIMARY KEY (user_id, code)
);

-- The best FTP seen per athlete (user.profile.updated), for "new FTP".
CREATE TABLE ftp_best (
  athlete_id text    PRIMARY KEY,
  ftp        integer NOT NULL
);
