-- Moderation: admins, mutes, bans and the log of every moderation action.
-- Deleted messages are deleted (the log keeps their text), so that no read
-- path can show one by mistake; AUTOINCREMENT never hands their IDs out
-- again.

ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));

-- One row per muted person; a mute whose ends_at has passed is over and
-- is replaced by the next one.
CREATE TABLE mutes (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX mutes_ends_at ON mutes (ends_at);

-- One row per banned person.
CREATE TABLE bans (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) STRICT;

-- The moderation log, newest last by id. actor_id is NULL for the command
-- line (parley admin grant/revoke). message_id has no foreign key: the
-- message is gone.
CREATE TABLE moderation_actions (
    id           INTEGER PRIMARY KEY,
    action       TEXT NOT NULL,
    actor_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    target_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    message_id   INTEGER,
    message_text TEXT NOT NULL DEFAULT '',
    ends_at      INTEGER,
    created_at   INTEGER NOT NULL
) STRICT;
