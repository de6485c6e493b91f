-- Attachment files live in PostgreSQL, beside their rows: every instance serves every file, and
-- a backup (pg_dump) holds records and files consistently. Files stored on disk by earlier
-- versions are imported at start-up (`binhdang serve` or `migrate`, from ATTACHMENTS_DIR) and
-- then keep their `storage_key` only as a note of where they came from.
CREATE TABLE attachment_contents (
    attachment_id uuid PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
    content       bytea NOT NULL
);
-- Photos and PDFs are compressed already: store them as they are, out of line.
ALTER TABLE attachment_contents ALTER COLUMN content SET STORAGE EXTERNAL;
ALTER TABLE attachments ALTER COLUMN storage_key DROP NOT NULL;
