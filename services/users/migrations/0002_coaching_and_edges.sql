-- Up Migration
CREATE TABLE coach_invitations (
  id          uuid        PRIMARY KEY,
  athlete_id  text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  coach_email text        NOT NULL,
  status      text        NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  decided_at  timestamptz
);
CREATE INDEX coach_invitations_email ON coach_invitations (lower(coach_email)) WHERE status = 'pending';
CREATE UNIQUE INDEX coach_invitations_one_pending ON coach_invitations (athlete_id, lower(coach_email)) WHERE status = 'pending';

CREATE TABLE coach_links (
  athlete_id text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  coach_id   text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (athlete_id, coach_id)
);
CREATE INDEX coach_links_coach ON coach_links (coach_id);

CREATE TABLE edges (
  id                     text        PRIMARY KEY,
  owner_id               text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name                   text        NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  revoked_at             timestamptz,
  credential_id          text,
  credential_expires_at  timestamptz
);
CREATE INDEX edges_owner ON edges (owner_id);

CREATE TABLE sensor_pairings (
  edge_id   text NOT NULL REFERENCES edges (id) ON DELETE CASCADE,
  sensor_id text NOT NULL,
  kind      text NOT NULL,
  name      text,
  PRIMARY KEY (edge_id, sensor_id)
);
