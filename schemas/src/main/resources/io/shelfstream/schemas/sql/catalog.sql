-- shelfstream catalog: read-only for the job. Upstream services own these tables.
-- The job tolerates NULL descriptions and extra columns.

CREATE TABLE IF NOT EXISTS books (
    book_id        TEXT PRIMARY KEY,
    isbn           TEXT,
    title          TEXT NOT NULL,
    author         TEXT,
    description    TEXT,
    genres         TEXT[] NOT NULL DEFAULT '{}',
    reading_level  TEXT,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS students (
    student_id        TEXT PRIMARY KEY,
    grade_level       INTEGER,
    interests         TEXT,
    preferred_genres  TEXT[] NOT NULL DEFAULT '{}',
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
