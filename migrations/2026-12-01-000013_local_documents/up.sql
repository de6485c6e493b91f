-- A local document (a city's own plan, a ward's decision) belongs to the unit that issued it:
-- its admins (and admins above) keep it. National documents (laws, decrees, strategies) have no
-- unit and are kept by province and national admins. Every signed-in caller reads both.
ALTER TABLE legal_documents ADD COLUMN unit_id uuid REFERENCES units (id);
CREATE INDEX legal_documents_unit ON legal_documents (unit_id) WHERE unit_id IS NOT NULL;
