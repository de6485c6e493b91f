DROP TABLE violation_parties;
DROP TABLE violations;
DROP TABLE inspections;
DROP TABLE fining_authorities;
DROP TABLE violation_rules;
DROP TABLE decrees;
