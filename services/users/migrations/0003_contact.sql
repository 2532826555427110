-- Up Migration
-- What notifications needs to reach a user: the language of its texts and the time zone of quiet
-- hours and digests. `updated_at` orders the user's `user.contact.updated` events.
ALTER TABLE users
  ADD COLUMN locale     text        NOT NULL DEFAULT 'en',
  ADD COLUMN time_zone  text        NOT NULL DEFAULT 'UTC',
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
