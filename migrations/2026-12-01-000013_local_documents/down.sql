DROP INDEX legal_documents_unit;
ALTER TABLE legal_documents DROP COLUMN unit_id;
