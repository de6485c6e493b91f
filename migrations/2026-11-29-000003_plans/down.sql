DROP TABLE plan_activities;
DROP TABLE plan_targets;
DROP TABLE plan_transitions;
DROP TABLE plan_documents;
DROP TABLE plans;
DROP TABLE indicators;
DROP TABLE legal_documents;
