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

-- updated_at is the row's version: a catalog backfill never replaces a row the job has seen at a newer version
-- (job option catalog.version-column). Keep it current on every change.
CREATE OR REPLACE FUNCTION shelfstream_touch_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER books_touch_updated_at BEFORE UPDATE ON books
    FOR EACH ROW EXECUTE FUNCTION shelfstream_touch_updated_at();
CREATE OR REPLACE TRIGGER students_touch_updated_at BEFORE UPDATE ON students
    FOR EACH ROW EXECUTE FUNCTION shelfstream_touch_updated_at();
