DROP INDEX refresh_tokens_sealed;
ALTER TABLE refresh_tokens DROP COLUMN successor_sealed;
