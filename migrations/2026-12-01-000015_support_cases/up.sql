-- Case records of survivors of gender-based violence, on "do no harm": a survivor is a code; a
-- case is visible only to the case workers assigned to it, the case supervisors of its handling
-- unit, and (for a limited time, with a written reason) a user who breaks the glass. Every read is
-- logged by the statement that reads. The survivor's identity is a separate row, sealed (AEAD)
-- by the service before it reaches the database.

-- A case role beside the account's role (any account of a unit may hold one): `case_worker`
-- handles the cases it is assigned; `case_supervisor` sees every case of its own unit, assigns
-- case workers and approves case plans and closures.
ALTER TABLE users ADD COLUMN case_role text CHECK (case_role IN ('case_worker', 'case_supervisor'));

-- A new or removed case role signs the user out everywhere (the two-factor policy applies at the
-- next sign-in).
CREATE OR REPLACE FUNCTION users_token_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active IS DISTINCT FROM OLD.active
       OR NEW.role IS DISTINCT FROM OLD.role
       OR NEW.case_role IS DISTINCT FROM OLD.case_role
       OR NEW.unit_id IS DISTINCT FROM OLD.unit_id
       OR NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
        NEW.token_epoch := greatest(NEW.token_epoch, OLD.token_epoch + 1);
    END IF;
    IF NEW.token_epoch IS DISTINCT FROM OLD.token_epoch THEN
        NEW.epoch_changed_at := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;

-- Audit entries of a case carry ids only, under a path no scope matches; `case_id` says which
-- case, and only its readers see them (the audit trail and the change feed). `audience`, when
-- set, is the one user an entry is for (the tombstone that tells a device to drop a case).
ALTER TABLE audit_events ADD COLUMN case_id uuid, ADD COLUMN audience uuid;
CREATE INDEX audit_events_case ON audit_events (case_id, seq) WHERE case_id IS NOT NULL;

-- The acts of domestic violence of Law 13/2022/QH15 Art. 3(1), each counted under one form.
CREATE TABLE dv_acts (
    code        text PRIMARY KEY,
    clause      text NOT NULL,
    form        text NOT NULL CHECK (form IN ('physical', 'psychological', 'sexual', 'economic')),
    name_vi     text NOT NULL,
    name_en     text NOT NULL,
    legal_basis text NOT NULL,
    verified    boolean NOT NULL DEFAULT false
);
INSERT INTO dv_acts (code, clause, form, name_vi, name_en, legal_basis) VALUES
 ('3.1.a', 'a', 'physical', 'Hành hạ, ngược đãi, đánh đập, đe dọa hoặc hành vi cố ý khác xâm hại đến sức khỏe, tính mạng', 'Torture, maltreatment, beating, threats or other intentional acts harming health or life', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm a'),
 ('3.1.b', 'b', 'psychological', 'Lăng mạ, chì chiết hoặc hành vi cố ý khác xúc phạm danh dự, nhân phẩm', 'Insults, nagging or other intentional acts offending honour and dignity', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm b'),
 ('3.1.c', 'c', 'psychological', 'Cưỡng ép chứng kiến bạo lực đối với người, con vật nhằm gây áp lực thường xuyên về tâm lý', 'Forcing someone to witness violence against people or animals to exert constant psychological pressure', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm c'),
 ('3.1.d', 'd', 'psychological', 'Bỏ mặc, không quan tâm; không nuôi dưỡng, chăm sóc thành viên gia đình là trẻ em, phụ nữ mang thai, phụ nữ đang nuôi con nhỏ, người cao tuổi, người khuyết tật, người không có khả năng tự chăm sóc; không giáo dục thành viên gia đình là trẻ em', 'Neglect; not feeding or caring for a family member who is a child, pregnant, nursing a small child, elderly, disabled or unable to care for themselves; not educating a child', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm d'),
 ('3.1.dd', 'đ', 'psychological', 'Kỳ thị, phân biệt đối xử về hình thể, giới, giới tính, năng lực của thành viên gia đình', 'Stigma or discrimination over a family member''s body, gender, sex or abilities', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm đ'),
 ('3.1.e', 'e', 'psychological', 'Ngăn cản thành viên gia đình gặp gỡ người thân, có quan hệ xã hội hợp pháp, lành mạnh hoặc hành vi khác nhằm cô lập, gây áp lực thường xuyên về tâm lý', 'Keeping a family member from relatives or lawful, healthy social relations, or other acts of isolation and constant psychological pressure', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm e'),
 ('3.1.g', 'g', 'psychological', 'Ngăn cản việc thực hiện quyền, nghĩa vụ trong quan hệ gia đình giữa ông, bà và cháu; giữa cha, mẹ và con; giữa vợ và chồng; giữa anh, chị, em với nhau', 'Obstructing the rights and duties between grandparents and grandchildren, parents and children, spouses, or siblings', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm g'),
 ('3.1.h', 'h', 'psychological', 'Tiết lộ hoặc phát tán thông tin thuộc bí mật đời sống riêng tư, bí mật cá nhân, bí mật gia đình của thành viên gia đình nhằm xúc phạm danh dự, nhân phẩm', 'Disclosing a family member''s private, personal or family secrets to offend their honour and dignity', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm h'),
 ('3.1.i', 'i', 'sexual', 'Cưỡng ép thực hiện hành vi quan hệ tình dục trái ý muốn hoặc hành vi khác có tính chất tình dục', 'Forced sexual intercourse or other acts of a sexual nature against one''s will', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm i'),
 ('3.1.k', 'k', 'psychological', 'Cưỡng ép tảo hôn; cưỡng ép kết hôn, ly hôn hoặc cản trở kết hôn, ly hôn hợp pháp', 'Forced child marriage; forcing or obstructing a lawful marriage or divorce', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm k'),
 ('3.1.l', 'l', 'economic', 'Chiếm đoạt, hủy hoại tài sản chung của gia đình hoặc tài sản riêng của thành viên khác trong gia đình', 'Seizing or destroying the family''s common property or a member''s own property', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm l'),
 ('3.1.m', 'm', 'economic', 'Cưỡng ép thành viên gia đình học tập, lao động quá sức, đóng góp tài chính quá khả năng; kiểm soát tài sản, thu nhập của thành viên gia đình nhằm tạo ra tình trạng lệ thuộc về mặt vật chất, tinh thần hoặc các mặt khác', 'Forcing overwork or financial contributions beyond one''s means; controlling a member''s property or income to make them dependent', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm m'),
 ('3.1.n', 'n', 'physical', 'Cô lập, giam cầm thành viên gia đình', 'Isolating or confining a family member', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm n'),
 ('3.1.o', 'o', 'economic', 'Cưỡng ép thành viên gia đình ra khỏi chỗ ở trái pháp luật', 'Unlawfully forcing a family member out of their home', 'Luật 13/2022/QH15, Điều 3, khoản 1, điểm o');

-- Kinds of support a case receives; `basic` ones count toward the Strategy's indicator
-- "detected victims who received at least one basic support service" (Resolution 28/NQ-CP; the
-- UN Essential Services Package: health, social services, police and justice).
CREATE TABLE case_service_kinds (
    code        text PRIMARY KEY,
    basic       boolean NOT NULL,
    name_vi     text NOT NULL,
    name_en     text NOT NULL,
    legal_basis text NOT NULL,
    verified    boolean NOT NULL DEFAULT false
);
INSERT INTO case_service_kinds (code, basic, name_vi, name_en, legal_basis) VALUES
 ('health_care', true, 'Chăm sóc y tế', 'Health care', 'Nghị quyết 28/NQ-CP (Chiến lược 2021–2030), mục tiêu 5'),
 ('psychosocial', true, 'Hỗ trợ tâm lý, tư vấn', 'Psychosocial support or counselling', 'Nghị quyết 28/NQ-CP (Chiến lược 2021–2030), mục tiêu 5'),
 ('legal_aid', true, 'Trợ giúp pháp lý', 'Legal aid', 'Nghị quyết 28/NQ-CP (Chiến lược 2021–2030), mục tiêu 5'),
 ('safety_shelter', true, 'Bảo đảm an toàn, nơi tạm lánh', 'Safety or shelter', 'Nghị quyết 28/NQ-CP (Chiến lược 2021–2030), mục tiêu 5'),
 ('police_justice', true, 'Công an, tư pháp', 'Police and justice', 'Nghị quyết 28/NQ-CP (Chiến lược 2021–2030), mục tiêu 5'),
 ('material_support', false, 'Hỗ trợ vật chất', 'Material support', 'Luật 13/2022/QH15'),
 ('education', false, 'Giáo dục, học nghề', 'Education or vocational training', 'Luật 13/2022/QH15'),
 ('other', false, 'Khác', 'Other', '—');

CREATE TABLE support_cases (
    id              uuid PRIMARY KEY,
    -- Generated, never a name: `BL-` and eight characters that say nothing of the unit or date.
    code            text NOT NULL UNIQUE,
    unit_id         uuid NOT NULL REFERENCES units (id),
    unit_path       text NOT NULL,
    status          text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'assessment', 'case_plan', 'services',
                        'closure_requested', 'closed', 'reopened')),
    survivor_sex    text NOT NULL CHECK (survivor_sex IN ('female', 'male', 'other', 'unknown')),
    survivor_age_band text NOT NULL CHECK (survivor_age_band IN ('0-5', '6-11', '12-15', '16-17', '18-29',
                        '30-44', '45-59', '60+', 'unknown')),
    priority_groups text[] NOT NULL DEFAULT '{}',
    relationship    text NOT NULL,
    acts            text[] NOT NULL,
    forms           text[] NOT NULL,
    incident_on     date,
    reported_on     date NOT NULL,
    channel         text NOT NULL,
    plan            text CHECK (plan IS NULL OR length(plan) <= 4000),
    closure_reason  text,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1,
    deleted_at      timestamptz
);
CREATE INDEX support_cases_unit ON support_cases (unit_id, updated_at DESC, id);

CREATE TABLE support_case_assignments (
    case_id     uuid NOT NULL REFERENCES support_cases (id),
    user_id     uuid NOT NULL REFERENCES users (id),
    assigned_by uuid NOT NULL REFERENCES users (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    PRIMARY KEY (case_id, user_id)
);
CREATE INDEX support_case_assignments_user ON support_case_assignments (user_id) WHERE ended_at IS NULL;

-- Consents, each recorded with its date and who recorded it; the latest row of a (kind, target)
-- is the one in force. `sharing` names the service or the unit it lets a referral reach.
CREATE TABLE support_case_consents (
    id             uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES support_cases (id),
    kind           text NOT NULL CHECK (kind IN ('services', 'sharing', 'statistics')),
    given          boolean NOT NULL,
    service_id     uuid REFERENCES support_services (id),
    target_unit_id uuid REFERENCES units (id),
    recorded_on    date NOT NULL,
    recorded_by    uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((kind = 'sharing') = (service_id IS NOT NULL OR target_unit_id IS NOT NULL)),
    CHECK (service_id IS NULL OR target_unit_id IS NULL)
);
CREATE INDEX support_case_consents_case ON support_case_consents (case_id, created_at);

CREATE TABLE support_case_services (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES support_cases (id),
    kind        text NOT NULL REFERENCES case_service_kinds (code),
    provided_on date NOT NULL,
    service_id  uuid REFERENCES support_services (id),
    provider    text CHECK (provider IS NULL OR length(provider) <= 300),
    recorded_by uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX support_case_services_case ON support_case_services (case_id, provided_on);

-- The survivor's identity (name, contact, address): one sealed JSON document (AEAD; the service
-- holds the key), `key_id` naming the key that sealed it (for rotation).
CREATE TABLE support_case_identities (
    case_id    uuid PRIMARY KEY REFERENCES support_cases (id),
    sealed     bytea NOT NULL,
    key_id     text NOT NULL,
    version    bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid NOT NULL REFERENCES users (id)
);

-- Break the glass: a user outside the case opens it with a written reason, until `expires_at`.
CREATE TABLE support_case_glass (
    id         bigserial PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES support_cases (id),
    user_id    uuid NOT NULL REFERENCES users (id),
    reason     text NOT NULL CHECK (length(reason) BETWEEN 10 AND 1000),
    opened_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX support_case_glass_user ON support_case_glass (user_id, case_id, expires_at);

-- Who may read a case, and as what: `case_supervisor` (of the handling unit), `case_worker`
-- (assigned), `break_glass` (an open grant); null for everyone else. Inactive users read nothing.
CREATE FUNCTION bd_case_access(c uuid, who uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM support_cases k JOIN users u ON u.unit_id = k.unit_id
                     WHERE k.id = c AND k.deleted_at IS NULL AND u.id = who AND u.active
                       AND u.case_role = 'case_supervisor') THEN 'case_supervisor'
        WHEN EXISTS (SELECT 1 FROM support_case_assignments a JOIN users u ON u.id = a.user_id
                     WHERE a.case_id = c AND a.user_id = who AND a.ended_at IS NULL AND u.active
                       AND u.case_role IS NOT NULL) THEN 'case_worker'
        WHEN EXISTS (SELECT 1 FROM support_case_glass g JOIN users u ON u.id = g.user_id
                     WHERE g.case_id = c AND g.user_id = who AND g.expires_at > now() AND u.active) THEN 'break_glass'
    END
$$;

-- Every read of a case (one row per case read, lists included) or of its identity, written by
-- the statement that reads: no read without its row. Append-only.
CREATE TABLE support_case_reads (
    id         bigserial PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES support_cases (id),
    user_id    uuid NOT NULL,
    user_name  text NOT NULL,
    what       text NOT NULL CHECK (what IN ('case', 'list', 'identity', 'access_log')),
    via        text NOT NULL,
    reason     text,
    request_id text,
    at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX support_case_reads_case ON support_case_reads (case_id, id);
CREATE TRIGGER support_case_reads_append_only BEFORE UPDATE OR DELETE ON support_case_reads
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER support_case_reads_no_truncate BEFORE TRUNCATE ON support_case_reads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- What a unit's case supervisors are shown so that nobody quietly becomes a reader: a case role
-- granted or removed, a case user's password reset by an admin (written by the trigger below,
-- whatever made the change: the API, the CLI or SQL), every assignment and unassignment, every
-- break of the glass.
CREATE TABLE support_case_notices (
    id              bigserial PRIMARY KEY,
    unit_id         uuid NOT NULL REFERENCES units (id),
    kind            text NOT NULL CHECK (kind IN ('case_role_granted', 'case_role_removed', 'password_reset',
                        'assigned', 'unassigned', 'break_glass')),
    case_id         uuid REFERENCES support_cases (id),
    subject_user_id uuid NOT NULL REFERENCES users (id),
    subject_name    text NOT NULL,
    detail          text,
    actor_id        uuid,
    actor_name      text,
    reason          text,
    at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX support_case_notices_unit ON support_case_notices (unit_id, id DESC);

CREATE FUNCTION users_case_notices() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor_name text := nullif(current_setting('binhdang.actor_name', true), '');
    actor_id uuid := nullif(current_setting('binhdang.actor_id', true), '')::uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.case_role IS NOT NULL THEN
            INSERT INTO support_case_notices (unit_id, kind, subject_user_id, subject_name, detail, actor_id, actor_name)
            VALUES (NEW.unit_id, 'case_role_granted', NEW.id, NEW.username, NEW.case_role, actor_id, actor_name);
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.case_role IS DISTINCT FROM OLD.case_role OR (NEW.unit_id IS DISTINCT FROM OLD.unit_id AND NEW.case_role IS NOT NULL) THEN
        IF OLD.case_role IS NOT NULL THEN
            INSERT INTO support_case_notices (unit_id, kind, subject_user_id, subject_name, detail, actor_id, actor_name)
            VALUES (OLD.unit_id, 'case_role_removed', NEW.id, NEW.username, OLD.case_role, actor_id, actor_name);
        END IF;
        IF NEW.case_role IS NOT NULL THEN
            INSERT INTO support_case_notices (unit_id, kind, subject_user_id, subject_name, detail, actor_id, actor_name)
            VALUES (NEW.unit_id, 'case_role_granted', NEW.id, NEW.username, NEW.case_role, actor_id, actor_name);
        END IF;
    END IF;
    -- An admin's reset (a temporary password), not the user's own change.
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash AND NEW.must_change_password
       AND coalesce(NEW.case_role, OLD.case_role) IS NOT NULL THEN
        INSERT INTO support_case_notices (unit_id, kind, subject_user_id, subject_name, actor_id, actor_name)
        VALUES (NEW.unit_id, 'password_reset', NEW.id, NEW.username, actor_id, actor_name);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_case_notices AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_case_notices();
