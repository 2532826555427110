-- Up Migration
-- Projections of the users service's events: what training needs to authorise and to compute.
CREATE TABLE profiles (
  athlete_id        text    PRIMARY KEY,
  ftp               integer NOT NULL,
  cp                integer NOT NULL,
  w_prime           integer NOT NULL,
  max_hr            integer NOT NULL,
  lthr              integer NOT NULL,
  weight_kg         real    NOT NULL,
  power_zone_bounds jsonb,
  hr_zone_bounds    jsonb,
  updated_at        bigint  NOT NULL
);

CREATE TABLE coach_links (
  athlete_id text    NOT NULL,
  coach_id   text    NOT NULL,
  active     boolean NOT NULL,
  updated_at bigint  NOT NULL,
  PRIMARY KEY (athlete_id, coach_id)
);
CREATE INDEX coach_links_coach ON coach_links (coach_id) WHERE active;

CREATE TABLE workouts (
  id          uuid        PRIMARY KEY,
  athlete_id  text        NOT NULL,
  created_by  text        NOT NULL,
  name        text        NOT NULL,
  description text        NOT NULL DEFAULT '',
  sport       text        NOT NULL,
  steps       jsonb       NOT NULL,
  duration_s  integer     NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workouts_athlete ON workouts (athlete_id, created_at DESC);

CREATE TABLE assignments (
  id          uuid        PRIMARY KEY,
  athlete_id  text        NOT NULL,
  assigned_by text        NOT NULL,
  workout_id  uuid        NOT NULL REFERENCES workouts (id) ON DELETE CASCADE,
  day         date        NOT NULL,
  session_id  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_athlete_day ON assignments (athlete_id, day);

CREATE TABLE sessions (
  id            text        PRIMARY KEY,
  athlete_id    text        NOT NULL,
  source        text        NOT NULL CHECK (source IN ('live', 'upload', 'import')),
  sport         text        NOT NULL,
  state         text        NOT NULL CHECK (state IN ('live', 'completed')),
  started_at    bigint      NOT NULL,
  ended_at      bigint,
  summary       jsonb,
  gear_id       text,
  assignment_id uuid        REFERENCES assignments (id) ON DELETE SET NULL,
  workout_id    uuid,
  compliance    jsonb,
  revision      integer     NOT NULL DEFAULT 0,
  file_sha256   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_athlete_started ON sessions (athlete_id, started_at DESC, id DESC);
