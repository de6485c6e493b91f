DROP TABLE petition_parties;
DROP TABLE petitions;
DROP TABLE deadline_rules;
DROP TABLE holidays;
