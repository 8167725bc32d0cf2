-- Keys kept in the database, sealed under the master key, so that they outlive a rotation of it
-- (`portcullis rotate-key`): the key of the recovery codes' digests cannot change without the
-- codes themselves. Kept in lockstep with ../postgres/0006_key_material.sql.
CREATE TABLE key_material (
    name        TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);
