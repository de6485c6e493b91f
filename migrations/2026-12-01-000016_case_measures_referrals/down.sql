DROP INDEX IF EXISTS support_cases_path;
ALTER TABLE support_case_reads DROP CONSTRAINT support_case_reads_what_check;
ALTER TABLE support_case_reads ADD CONSTRAINT support_case_reads_what_check
    CHECK (what IN ('case', 'list', 'identity', 'access_log'));
DELETE FROM support_case_notices WHERE kind = 'consent_override';
ALTER TABLE support_case_notices DROP CONSTRAINT support_case_notices_kind_check;
ALTER TABLE support_case_notices ADD CONSTRAINT support_case_notices_kind_check
    CHECK (kind IN ('case_role_granted', 'case_role_removed', 'password_reset', 'assigned', 'unassigned', 'break_glass'));
DROP TABLE support_case_referrals, support_case_measures, dv_measure_rules;
