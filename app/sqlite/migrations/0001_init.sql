-- Parley's first schema: accounts, provider identities, sessions, chat
-- messages and pending OAuth sign-ins. Times are UTC unix milliseconds.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    -- NULL for accounts that only sign in through a provider; unique in any
    -- letter case otherwise (several NULLs are allowed).
    username      TEXT UNIQUE COLLATE NOCASE,
    password_hash BLOB,
    display_name  TEXT NOT NULL,
    provider      TEXT NOT NULL DEFAULT '',
    avatar_url    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_login_at INTEGER,
    login_count   INTEGER NOT NULL DEFAULT 0,
    CHECK (password_hash IS NULL OR username IS NOT NULL)
) STRICT;

CREATE TABLE identities (
    provider         TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (provider, provider_user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX identities_user_id ON identities (user_id);

CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- AUTOINCREMENT: an ID is never handed out twice, even after the newest
-- message is deleted, so clients can catch up by ID.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_user_id ON messages (user_id);

CREATE TABLE oauth_states (
    state_hash BLOB PRIMARY KEY,
    provider   TEXT NOT NULL,
    verifier   TEXT NOT NULL DEFAULT '',
    session    TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);
