-- Moderation, as SQLite's 0003_moderation.sql: admins, mutes, bans and the
-- log of every moderation action. Deleted messages are deleted (the log
-- keeps their text), so that no read path can show one by mistake; the
-- messages identity never hands their IDs out again.

ALTER TABLE users ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false;

-- One row per muted person; a mute whose ends_at has passed is over and
-- is replaced by the next one.
CREATE TABLE mutes (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX mutes_ends_at ON mutes (ends_at);

-- One row per banned person.
CREATE TABLE bans (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);

-- The moderation log, newest last by id. actor_id is NULL for the command
-- line (parley admin grant/revoke). message_id has no foreign key: the
-- message is gone.
CREATE TABLE moderation_actions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action       TEXT NOT NULL,
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    target_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    message_id   BIGINT,
    message_text TEXT NOT NULL DEFAULT '',
    ends_at      TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
