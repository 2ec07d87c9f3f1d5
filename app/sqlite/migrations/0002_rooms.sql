-- Rooms. Every message belongs to one room; the messages stored before
-- rooms existed go to general, which always exists and has ID 1.

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    -- NULL for general, and for rooms whose creator was deleted.
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO rooms (id, name, created_at) VALUES (1, 'general', unixepoch() * 1000);

-- SQLite cannot add a NOT NULL foreign key column to a table, so messages
-- is rebuilt with room_id. Its AUTOINCREMENT counter moves along, so that
-- no message ID is ever handed out twice.
CREATE TABLE messages_with_rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id    INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

INSERT INTO messages_with_rooms (id, room_id, user_id, text, created_at)
SELECT id, 1, user_id, text, created_at FROM messages;

DELETE FROM sqlite_sequence WHERE name = 'messages_with_rooms';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'messages_with_rooms', seq FROM sqlite_sequence WHERE name = 'messages';

DROP TABLE messages;
ALTER TABLE messages_with_rooms RENAME TO messages;

-- A room's history is read newest first by ID: (room_id, id) serves both
-- the last messages and "older than ID" without OFFSET.
CREATE INDEX messages_room_id_id ON messages (room_id, id);
CREATE INDEX messages_user_id ON messages (user_id);
