-- Protective measures of Law 13/2022/QH15 on a survivor's case, with the law's clocks computed
-- from dated rules; and referrals of a case to a service of the directory or another unit, gated
-- by the survivor's consent to that sharing.

-- Who decides a measure, how fast (hours from the request), for how long (hours or calendar
-- months from the decision), and which requesters need the victim's consent. A rule is in force
-- from `effective_from` (the request's date in Vietnam) until `effective_to`.
CREATE TABLE dv_measure_rules (
    code                 text PRIMARY KEY,
    measure              text NOT NULL,
    authority            text NOT NULL,
    decide_within_hours  integer CHECK (decide_within_hours > 0),
    max_hours            integer CHECK (max_hours > 0),
    max_months           integer CHECK (max_months > 0),
    consent_required_for text[] NOT NULL DEFAULT '{}',
    effective_from       date NOT NULL,
    effective_to         date,
    legal_basis          text NOT NULL,
    verified             boolean NOT NULL DEFAULT false,
    CHECK (max_hours IS NULL OR max_months IS NULL)
);
INSERT INTO dv_measure_rules (code, measure, authority, decide_within_hours, max_hours, max_months, consent_required_for, effective_from, legal_basis, verified) VALUES
 ('ban_on_contact.commune_chairman', 'ban_on_contact', 'commune_chairman', 12, 72, NULL, '{agency}', '2023-07-01',
  'Luật 13/2022/QH15 (cấm tiếp xúc do Chủ tịch UBND cấp xã quyết định): quyết định hoặc từ chối bằng văn bản trong 12 giờ kể từ khi nhận yêu cầu; cấm tiếp xúc không quá 3 ngày; theo yêu cầu của người bị bạo lực (người giám hộ), của cơ quan, tổ chức có sự đồng ý của người bị bạo lực, hoặc không cần yêu cầu khi tính mạng bị đe dọa', true),
 ('ban_on_contact.court', 'ban_on_contact', 'court', NULL, NULL, 4, '{agency}', '2023-07-01',
  'Luật 13/2022/QH15 (cấm tiếp xúc theo quyết định của Tòa án): không quá 4 tháng', true),
 ('stop_order', 'stop_order', 'any', NULL, NULL, NULL, '{}', '2023-07-01', 'Luật 13/2022/QH15 (buộc chấm dứt hành vi bạo lực gia đình)', false),
 ('shelter', 'shelter', 'any', NULL, NULL, NULL, '{}', '2023-07-01', 'Luật 13/2022/QH15 (bố trí nơi tạm lánh, giữ bí mật nơi tạm lánh)', false),
 ('medical_care', 'medical_care', 'any', NULL, NULL, NULL, '{}', '2023-07-01', 'Luật 13/2022/QH15 (cấp cứu, chăm sóc, điều trị người bị bạo lực gia đình)', false),
 ('legal_aid', 'legal_aid', 'any', NULL, NULL, NULL, '{}', '2023-07-01', 'Luật 13/2022/QH15 (trợ giúp pháp lý, tư vấn)', false),
 ('behaviour_change', 'behaviour_change', 'any', NULL, NULL, NULL, '{}', '2023-07-01', 'Luật 13/2022/QH15 (giáo dục, hỗ trợ chuyển đổi hành vi bạo lực gia đình)', false),
 ('preventive_other', 'preventive_other', 'any', NULL, NULL, NULL, '{}', '2023-07-01', 'Luật 13/2022/QH15 (biện pháp ngăn chặn theo pháp luật về xử lý vi phạm hành chính, tố tụng hình sự)', false);

CREATE TABLE support_case_measures (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES support_cases (id),
    kind            text NOT NULL,
    authority       text NOT NULL CHECK (authority IN ('commune_chairman', 'court', 'police', 'other')),
    rule_code       text NOT NULL REFERENCES dv_measure_rules (code),
    requested_at    timestamptz NOT NULL,
    requested_by    text NOT NULL CHECK (requested_by IN ('victim', 'guardian', 'agency', 'none_life_in_danger')),
    victim_consent  boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'granted', 'refused', 'cancelled')),
    -- The law's clocks, fixed from the rule in force at the request: the decision is due by
    -- `decide_by`; a granted measure lasts at most until `max_ends_at`.
    decide_by       timestamptz,
    decided_at      timestamptz,
    starts_at       timestamptz,
    ends_at         timestamptz,
    max_ends_at     timestamptz,
    reason          text CHECK (reason IS NULL OR length(reason) <= 1000),
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (ends_at IS NULL OR max_ends_at IS NULL OR ends_at <= max_ends_at)
);
CREATE INDEX support_case_measures_case ON support_case_measures (case_id, requested_at);
CREATE INDEX support_case_measures_due ON support_case_measures (decide_by) WHERE status = 'requested';
CREATE INDEX support_case_measures_ends ON support_case_measures (ends_at) WHERE status = 'granted';

-- A referral shares what it names (`shares`: attributes of the case) with the receiving unit's
-- case supervisors (for a directory service, the unit that runs it): `pending → accepted |
-- rejected → done | revoked`.
CREATE TABLE support_case_referrals (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES support_cases (id),
    from_unit_id    uuid NOT NULL REFERENCES units (id),
    to_service_id   uuid REFERENCES support_services (id),
    to_unit_id      uuid NOT NULL REFERENCES units (id),
    services_requested text[] NOT NULL DEFAULT '{}',
    shares          text[] NOT NULL DEFAULT '{}',
    note            text CHECK (note IS NULL OR length(note) <= 1000),
    consent_id      uuid REFERENCES support_case_consents (id),
    override_reason text CHECK (override_reason IS NULL OR length(override_reason) BETWEEN 10 AND 1000),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'done', 'revoked')),
    reason          text CHECK (reason IS NULL OR length(reason) <= 1000),
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    responded_by    uuid REFERENCES users (id),
    responded_at    timestamptz,
    version         bigint NOT NULL DEFAULT 1,
    CHECK (consent_id IS NOT NULL OR override_reason IS NOT NULL)
);
CREATE INDEX support_case_referrals_case ON support_case_referrals (case_id, created_at);
CREATE INDEX support_case_referrals_to ON support_case_referrals (to_unit_id, created_at DESC);

ALTER TABLE support_case_reads DROP CONSTRAINT support_case_reads_what_check;
ALTER TABLE support_case_reads ADD CONSTRAINT support_case_reads_what_check
    CHECK (what IN ('case', 'list', 'identity', 'access_log', 'measures', 'referral'));
ALTER TABLE support_case_notices DROP CONSTRAINT support_case_notices_kind_check;
ALTER TABLE support_case_notices ADD CONSTRAINT support_case_notices_kind_check
    CHECK (kind IN ('case_role_granted', 'case_role_removed', 'password_reset', 'assigned', 'unassigned',
                    'break_glass', 'consent_override'));

-- The summary's survivors' section reads cases by subtree and first report.
CREATE INDEX support_cases_path ON support_cases (unit_path text_pattern_ops, reported_on) WHERE deleted_at IS NULL;
