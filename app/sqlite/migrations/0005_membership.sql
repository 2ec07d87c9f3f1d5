-- Room kinds and membership. Every room so far is public; a private room
-- is read by its members only, a direct conversation by its fixed people,
-- whose sorted IDs (parley.DirectKey, "3,8,21") are its dm_key: unique,
-- so that one set of people has one conversation, and NULL for every
-- room that is not direct.

ALTER TABLE rooms ADD COLUMN kind TEXT NOT NULL DEFAULT 'public'
    CHECK (kind IN ('public', 'private', 'direct'));
ALTER TABLE rooms ADD COLUMN dm_key TEXT
    CHECK ((dm_key IS NULL) = (kind <> 'direct'));

CREATE UNIQUE INDEX rooms_dm_key ON rooms (dm_key);

-- Who is in which room: the people who joined a public room, the members
-- of a private one, the people of a direct one.
CREATE TABLE room_members (
    room_id   INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;

-- A person's rooms, for their sidebar.
CREATE INDEX room_members_user_id ON room_members (user_id, room_id);

-- Everyone has joined general (when their account was made) and every
-- room they have sent a message in (with their first message there).
INSERT INTO room_members (room_id, user_id, joined_at)
SELECT room_id, user_id, min(joined_at) FROM (
    SELECT rooms.id AS room_id, users.id AS user_id, users.created_at AS joined_at
    FROM users CROSS JOIN rooms WHERE rooms.name = 'general'
    UNION ALL
    SELECT room_id, user_id, created_at FROM messages
)
GROUP BY room_id, user_id;
