UPDATE attachments SET storage_key = 'db/' || id WHERE storage_key IS NULL;
ALTER TABLE attachments ALTER COLUMN storage_key SET NOT NULL;
DROP TABLE attachment_contents;
