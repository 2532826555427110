-- Up Migration
CREATE TABLE users (
  id            text        PRIMARY KEY,
  email         text        NOT NULL,
  password_hash text        NOT NULL,
  display_name  text        NOT NULL,
  roles         text[]      NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE profiles (
  athlete_id        text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  ftp               integer     NOT NULL,
  cp                integer     NOT NULL,
  w_prime           integer     NOT NULL,
  max_hr            integer     NOT NULL,
  lthr              integer     NOT NULL,
  weight_kg         real        NOT NULL,
  power_zone_bounds real[]      NOT NULL,
  hr_zone_bounds    real[]      NOT NULL,
  units             text        NOT NULL,
  version           integer     NOT NULL,
  updated_at        timestamptz NOT NULL
);

-- Refresh tokens are stored hashed. Each login starts a family; a refresh uses its token and
-- issues the next one in the family. A used token presented again means it was stolen: the whole
-- family is revoked.
CREATE TABLE refresh_tokens (
  token_hash bytea       PRIMARY KEY,
  user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family     uuid        NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Token signing keys (Ed25519). The private key is encrypted (AES-256-GCM) with USERS_KEY_SECRET.
-- A retired key (replaced by a newer one) stays in the JWKS until every token it signed has
-- expired; a revoked key (compromised) leaves it at once.
CREATE TABLE signing_keys (
  kid         text        PRIMARY KEY,
  public_jwk  jsonb       NOT NULL,
  private_enc bytea       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz,
  revoked_at  timestamptz
);
