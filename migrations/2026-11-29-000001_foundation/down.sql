DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE unit_lineage;
DROP TABLE units;
DROP FUNCTION bd_fold(text);
DROP EXTENSION IF EXISTS pg_trgm;
