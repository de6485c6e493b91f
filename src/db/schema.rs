// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "xid8"))]
    pub struct Xid8;
}

diesel::table! {
    api_client_units (client_id, unit_id) {
        client_id -> Uuid,
        unit_id -> Uuid,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Uuid,
        client_id -> Text,
        name -> Text,
        secret_hash -> Text,
        active -> Bool,
        rate_limit_per_minute -> Int4,
        owner_unit_id -> Uuid,
        owner_unit_path -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
    }
}

diesel::table! {
    attachment_contents (attachment_id) {
        attachment_id -> Uuid,
        content -> Bytea,
    }
}

diesel::table! {
    attachments (id) {
        id -> Uuid,
        record_type -> Text,
        record_id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        storage_key -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        name -> Text,
        description -> Nullable<Text>,
        starts_on -> Date,
        ends_on -> Date,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    audit_events (seq) {
        seq -> Int8,
        txid -> Xid8,
        at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        actor_unit_id -> Nullable<Uuid>,
        resource -> Text,
        record_id -> Uuid,
        record_unit_id -> Uuid,
        record_unit_path -> Text,
        action -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        case_id -> Nullable<Uuid>,
        audience -> Nullable<Uuid>,
    }
}

diesel::table! {
    decrees (code) {
        code -> Text,
        title -> Text,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        individual_max_vnd -> Int8,
        organization_multiplier -> Int4,
        limitation_months -> Int4,
        verified -> Bool,
        source -> Text,
    }
}

diesel::table! {
    deadline_rules (code) {
        code -> Text,
        petition_kind -> Text,
        stage -> Text,
        instance -> Nullable<Int2>,
        complex -> Nullable<Bool>,
        remote -> Nullable<Bool>,
        days -> Int4,
        day_kind -> Text,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        legal_basis -> Text,
        verified -> Bool,
        elsewhere -> Nullable<Bool>,
        complexity -> Nullable<Text>,
        max_times -> Nullable<Int2>,
    }
}

diesel::table! {
    fining_authorities (code) {
        code -> Text,
        position -> Text,
        warning_only -> Bool,
        max_percent -> Nullable<Int4>,
        max_vnd -> Nullable<Int8>,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        legal_basis -> Text,
        verified -> Bool,
        may_sanction -> Bool,
    }
}

diesel::table! {
    holidays (day) {
        day -> Date,
        name -> Text,
        verified -> Bool,
        kind -> Text,
        source -> Text,
    }
}

diesel::table! {
    idempotency_keys (principal_id, key) {
        principal_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int2>,
        response -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    indicators (code) {
        code -> Text,
        name_en -> Text,
        name_vi -> Text,
        unit_of_measure -> Text,
        direction -> Text,
        target_2025 -> Nullable<Float8>,
        target_2030 -> Nullable<Float8>,
        source -> Nullable<Text>,
        verified -> Bool,
    }
}

diesel::table! {
    inspections (id) {
        id -> Uuid,
        kind -> Text,
        inspecting_unit_id -> Uuid,
        unit_path -> Text,
        subject_name -> Text,
        subject_type -> Text,
        subject_unit_id -> Nullable<Uuid>,
        subject_address -> Nullable<Text>,
        decision_number -> Nullable<Text>,
        decision_on -> Nullable<Date>,
        period_from -> Nullable<Date>,
        period_to -> Nullable<Date>,
        areas -> Array<Text>,
        team_members -> Array<Text>,
        status -> Text,
        conclusion -> Nullable<Text>,
        concluded_on -> Nullable<Date>,
        recommendations -> Nullable<Text>,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    legal_documents (id) {
        id -> Uuid,
        kind -> Text,
        number -> Text,
        issuer -> Text,
        issued_on -> Date,
        effective_on -> Nullable<Date>,
        title -> Text,
        url -> Nullable<Text>,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        unit_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    outreach_events (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        activity_id -> Nullable<Uuid>,
        campaign_id -> Nullable<Uuid>,
        kind -> Text,
        title -> Text,
        topics -> Array<Text>,
        starts_on -> Date,
        ends_on -> Date,
        location -> Nullable<Text>,
        channel -> Nullable<Text>,
        audience_reached -> Nullable<Int4>,
        female -> Int4,
        male -> Int4,
        other_sex -> Int4,
        has_participant_list -> Bool,
        is_public -> Bool,
        in_action_month -> Nullable<Bool>,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    participants (record_id, ordinal) {
        record_id -> Uuid,
        ordinal -> Int4,
        name -> Text,
        sex -> Text,
        unit_name -> Nullable<Text>,
        position -> Nullable<Text>,
    }
}

diesel::table! {
    petition_parties (petition_id) {
        petition_id -> Uuid,
        name -> Text,
        contact -> Nullable<Text>,
    }
}

diesel::table! {
    petitions (id) {
        id -> Uuid,
        kind -> Text,
        handling_unit_id -> Uuid,
        unit_path -> Text,
        received_on -> Date,
        channel -> Text,
        subject -> Text,
        summary -> Nullable<Text>,
        instance -> Int2,
        complex -> Bool,
        remote -> Bool,
        extension_count -> Int2,
        status -> Text,
        accepted_on -> Nullable<Date>,
        decision -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        acceptance_due_on -> Date,
        resolution_due_on -> Nullable<Date>,
        due_on -> Nullable<Date>,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
        complexity -> Text,
        verification_elsewhere -> Bool,
    }
}

diesel::table! {
    plan_activities (id) {
        id -> Uuid,
        plan_id -> Uuid,
        kind -> Text,
        title -> Text,
        starts_on -> Date,
        ends_on -> Date,
        responsible_unit_id -> Uuid,
        responsible_unit_path -> Text,
        budget_state_vnd -> Int8,
        budget_mobilized_vnd -> Int8,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    plan_documents (plan_id, document_id) {
        plan_id -> Uuid,
        document_id -> Uuid,
    }
}

diesel::table! {
    plan_targets (id) {
        id -> Uuid,
        plan_id -> Uuid,
        indicator -> Text,
        indicator_code -> Nullable<Text>,
        unit_of_measure -> Text,
        direction -> Text,
        baseline -> Nullable<Float8>,
        target_value -> Float8,
        actual_value -> Nullable<Float8>,
        measured_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    plan_transitions (id) {
        id -> Int8,
        plan_id -> Uuid,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        reason -> Nullable<Text>,
        actor_id -> Uuid,
        actor_name -> Text,
        actor_role -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    plans (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        year -> Int4,
        kind -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        areas -> Array<Text>,
        parent_plan_id -> Nullable<Uuid>,
        status -> Text,
        results_report -> Nullable<Text>,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        successor_sealed -> Nullable<Bytea>,
    }
}

diesel::table! {
    seed_state (table_name, key) {
        table_name -> Text,
        key -> Text,
        written -> Jsonb,
        written_at -> Timestamptz,
    }
}

diesel::table! {
    case_service_kinds (code) {
        code -> Text,
        basic -> Bool,
        name_vi -> Text,
        name_en -> Text,
        legal_basis -> Text,
        verified -> Bool,
    }
}

diesel::table! {
    dv_acts (code) {
        code -> Text,
        clause -> Text,
        form -> Text,
        name_vi -> Text,
        name_en -> Text,
        legal_basis -> Text,
        verified -> Bool,
    }
}

diesel::table! {
    dv_measure_rules (code) {
        code -> Text,
        measure -> Text,
        authority -> Text,
        decide_within_hours -> Nullable<Int4>,
        max_hours -> Nullable<Int4>,
        max_months -> Nullable<Int4>,
        consent_required_for -> Array<Text>,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        legal_basis -> Text,
        verified -> Bool,
    }
}

diesel::table! {
    support_case_measures (id) {
        id -> Uuid,
        case_id -> Uuid,
        kind -> Text,
        authority -> Text,
        rule_code -> Text,
        requested_at -> Timestamptz,
        requested_by -> Text,
        victim_consent -> Bool,
        status -> Text,
        decide_by -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        max_ends_at -> Nullable<Timestamptz>,
        reason -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    support_case_referrals (id) {
        id -> Uuid,
        case_id -> Uuid,
        from_unit_id -> Uuid,
        to_service_id -> Nullable<Uuid>,
        to_unit_id -> Uuid,
        services_requested -> Array<Text>,
        shares -> Array<Text>,
        note -> Nullable<Text>,
        consent_id -> Nullable<Uuid>,
        override_reason -> Nullable<Text>,
        status -> Text,
        reason -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        responded_by -> Nullable<Uuid>,
        responded_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::table! {
    support_cases (id) {
        id -> Uuid,
        code -> Text,
        unit_id -> Uuid,
        unit_path -> Text,
        status -> Text,
        survivor_sex -> Text,
        survivor_age_band -> Text,
        priority_groups -> Array<Text>,
        relationship -> Text,
        acts -> Array<Text>,
        forms -> Array<Text>,
        incident_on -> Nullable<Date>,
        reported_on -> Date,
        channel -> Text,
        plan -> Nullable<Text>,
        closure_reason -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    support_case_assignments (case_id, user_id) {
        case_id -> Uuid,
        user_id -> Uuid,
        assigned_by -> Uuid,
        assigned_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    support_case_consents (id) {
        id -> Uuid,
        case_id -> Uuid,
        kind -> Text,
        given -> Bool,
        service_id -> Nullable<Uuid>,
        target_unit_id -> Nullable<Uuid>,
        recorded_on -> Date,
        recorded_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    support_case_services (id) {
        id -> Uuid,
        case_id -> Uuid,
        kind -> Text,
        provided_on -> Date,
        service_id -> Nullable<Uuid>,
        provider -> Nullable<Text>,
        recorded_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    support_case_identities (case_id) {
        case_id -> Uuid,
        sealed -> Bytea,
        key_id -> Text,
        version -> Int8,
        updated_at -> Timestamptz,
        updated_by -> Uuid,
    }
}

diesel::table! {
    support_case_glass (id) {
        id -> Int8,
        case_id -> Uuid,
        user_id -> Uuid,
        reason -> Text,
        opened_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    support_case_reads (id) {
        id -> Int8,
        case_id -> Uuid,
        user_id -> Uuid,
        user_name -> Text,
        what -> Text,
        via -> Text,
        reason -> Nullable<Text>,
        request_id -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    support_case_notices (id) {
        id -> Int8,
        unit_id -> Uuid,
        kind -> Text,
        case_id -> Nullable<Uuid>,
        subject_user_id -> Uuid,
        subject_name -> Text,
        detail -> Nullable<Text>,
        actor_id -> Nullable<Uuid>,
        actor_name -> Nullable<Text>,
        reason -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    support_services (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        kind -> Text,
        name -> Text,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        phone_invented -> Bool,
        opening_hours -> Nullable<Text>,
        services -> Array<Text>,
        eligible -> Text,
        active -> Bool,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    trainings (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        activity_id -> Nullable<Uuid>,
        title -> Text,
        topics -> Array<Text>,
        audiences -> Array<Text>,
        starts_on -> Date,
        ends_on -> Date,
        location -> Nullable<Text>,
        organiser -> Nullable<Text>,
        trainers -> Array<Text>,
        female -> Int4,
        male -> Int4,
        other_sex -> Int4,
        has_participant_list -> Bool,
        in_action_month -> Nullable<Bool>,
        search -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    unit_figures (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        year -> Int4,
        ge_officials -> Nullable<Int4>,
        gbv_victims_detected -> Nullable<Int4>,
        gbv_victims_supported -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
    }
}

diesel::table! {
    unit_leaders (id) {
        id -> Uuid,
        unit_id -> Uuid,
        unit_path -> Text,
        body -> Text,
        position -> Text,
        holder_sex -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    unit_lineage (predecessor_id, successor_id) {
        predecessor_id -> Uuid,
        successor_id -> Uuid,
        effective_on -> Date,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    units (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        path -> Text,
        depth -> Int4,
        kind -> Text,
        code -> Nullable<Text>,
        name -> Text,
        name_folded -> Nullable<Text>,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        password_hash -> Text,
        unit_id -> Uuid,
        role -> Text,
        display_name -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        token_epoch -> Int8,
        epoch_changed_at -> Timestamptz,
        must_change_password -> Bool,
        totp_secret_sealed -> Nullable<Bytea>,
        totp_enabled_at -> Nullable<Timestamptz>,
        totp_last_step -> Nullable<Int8>,
        two_factor_exempt -> Bool,
        case_role -> Nullable<Text>,
    }
}

diesel::table! {
    user_recovery_codes (user_id, code_hash) {
        user_id -> Uuid,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        count -> Int4,
        window_start -> Timestamptz,
    }
}

diesel::table! {
    partner_rate (client_id) {
        client_id -> Uuid,
        minute -> Int8,
        count -> Int4,
    }
}

diesel::table! {
    violation_parties (violation_id) {
        violation_id -> Uuid,
        name -> Text,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    violation_rules (id) {
        id -> Uuid,
        decree_code -> Text,
        article -> Int4,
        clause -> Int4,
        point -> Nullable<Text>,
        area -> Text,
        description -> Text,
        min_fine_vnd -> Int8,
        max_fine_vnd -> Int8,
        verified -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        source -> Text,
    }
}

diesel::table! {
    violations (id) {
        id -> Uuid,
        inspection_id -> Nullable<Uuid>,
        handling_unit_id -> Uuid,
        unit_path -> Text,
        offender_kind -> Text,
        organization_name -> Nullable<Text>,
        rule_id -> Uuid,
        area -> Text,
        act_on -> Date,
        description -> Nullable<Text>,
        record_number -> Nullable<Text>,
        recorded_on -> Nullable<Date>,
        penalty -> Nullable<Text>,
        fine_vnd -> Nullable<Int8>,
        remedial_measures -> Array<Text>,
        status -> Text,
        decided_on -> Nullable<Date>,
        decided_by_position -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    imports (id) {
        id -> Uuid,
        principal_id -> Uuid,
        caller -> Jsonb,
        unit_id -> Uuid,
        unit_path -> Text,
        resource -> Text,
        mode -> Text,
        atomic -> Text,
        lang -> Text,
        file_name -> Text,
        file_format -> Text,
        file_sha256 -> Text,
        content -> Nullable<Bytea>,
        idempotency_key -> Nullable<Text>,
        status -> Text,
        rows_total -> Int4,
        rows_processed -> Int4,
        created -> Int4,
        updated -> Int4,
        skipped -> Int4,
        failed -> Int4,
        committed -> Bool,
        errors -> Jsonb,
        failure -> Nullable<Text>,
        attempts -> Int4,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        endpoint_id -> Uuid,
        message_id -> Text,
        event_type -> Text,
        payload -> Text,
        feed_txid -> Nullable<Int8>,
        feed_seq -> Nullable<Int8>,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_attempt_at -> Nullable<Timestamptz>,
        last_status_code -> Nullable<Int4>,
        last_latency_ms -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        client_id -> Uuid,
        owner_unit_id -> Uuid,
        owner_unit_path -> Text,
        url -> Text,
        description -> Text,
        event_types -> Array<Text>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        disabled_at -> Nullable<Timestamptz>,
        secret_sealed -> Bytea,
        previous_secret_sealed -> Nullable<Bytea>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        feed_txid -> Int8,
        feed_seq -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::joinable!(support_cases -> units (unit_id));
diesel::joinable!(support_case_assignments -> support_cases (case_id));
diesel::joinable!(support_case_consents -> support_cases (case_id));
diesel::joinable!(support_case_services -> support_cases (case_id));
diesel::joinable!(api_client_units -> api_clients (client_id));
diesel::joinable!(imports -> units (unit_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_endpoints -> api_clients (client_id));
diesel::joinable!(webhook_endpoints -> units (owner_unit_id));
diesel::joinable!(api_client_units -> units (unit_id));
diesel::joinable!(api_clients -> units (owner_unit_id));
diesel::joinable!(attachments -> units (unit_id));
diesel::joinable!(campaigns -> units (unit_id));
diesel::joinable!(outreach_events -> campaigns (campaign_id));
diesel::joinable!(outreach_events -> plan_activities (activity_id));
diesel::joinable!(outreach_events -> units (unit_id));
diesel::joinable!(inspections -> units (inspecting_unit_id));
diesel::joinable!(petition_parties -> petitions (petition_id));
diesel::joinable!(petitions -> units (handling_unit_id));
diesel::joinable!(plan_activities -> plans (plan_id));
diesel::joinable!(plan_activities -> units (responsible_unit_id));
diesel::joinable!(legal_documents -> units (unit_id));
diesel::joinable!(plan_documents -> legal_documents (document_id));
diesel::joinable!(plan_documents -> plans (plan_id));
diesel::joinable!(plan_targets -> indicators (indicator_code));
diesel::joinable!(plan_targets -> plans (plan_id));
diesel::joinable!(plan_transitions -> plans (plan_id));
diesel::joinable!(plans -> units (unit_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(support_services -> units (unit_id));
diesel::joinable!(trainings -> plan_activities (activity_id));
diesel::joinable!(trainings -> units (unit_id));
diesel::joinable!(unit_figures -> units (unit_id));
diesel::joinable!(unit_leaders -> units (unit_id));
diesel::joinable!(users -> units (unit_id));
diesel::joinable!(attachment_contents -> attachments (attachment_id));
diesel::joinable!(user_recovery_codes -> users (user_id));
diesel::joinable!(partner_rate -> api_clients (client_id));
diesel::joinable!(violation_parties -> violations (violation_id));
diesel::joinable!(violation_rules -> decrees (decree_code));
diesel::joinable!(violations -> inspections (inspection_id));
diesel::joinable!(violations -> violation_rules (rule_id));

diesel::table! {
    rollup_facts (unit_id, month, section, grp, key, bucket) {
        unit_id -> Uuid,
        month -> Date,
        section -> Text,
        grp -> Text,
        key -> Text,
        bucket -> Uuid,
        c1 -> Int8,
        c2 -> Int8,
        c3 -> Int8,
        c4 -> Int8,
        c5 -> Int8,
        c6 -> Int8,
        c7 -> Int8,
        c8 -> Int8,
    }
}

diesel::table! {
    rollup_deltas (id) {
        id -> Int8,
        unit_id -> Uuid,
        month -> Date,
        section -> Text,
        grp -> Text,
        key -> Text,
        bucket -> Uuid,
        c1 -> Int8,
        c2 -> Int8,
        c3 -> Int8,
        c4 -> Int8,
        c5 -> Int8,
        c6 -> Int8,
        c7 -> Int8,
        c8 -> Int8,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    imports,
    rollup_deltas,
    rollup_facts,
    webhook_deliveries,
    webhook_endpoints,
    dv_measure_rules,
    support_case_measures,
    support_case_referrals,
    case_service_kinds,
    dv_acts,
    support_cases,
    support_case_assignments,
    support_case_consents,
    support_case_services,
    support_case_identities,
    support_case_glass,
    support_case_reads,
    support_case_notices,
    api_client_units,
    api_clients,
    attachment_contents,
    attachments,
    audit_events,
    campaigns,
    deadline_rules,
    decrees,
    fining_authorities,
    holidays,
    idempotency_keys,
    indicators,
    inspections,
    legal_documents,
    login_throttle,
    outreach_events,
    participants,
    partner_rate,
    petition_parties,
    petitions,
    plan_activities,
    plan_documents,
    plan_targets,
    plan_transitions,
    plans,
    refresh_tokens,
    seed_state,
    support_services,
    trainings,
    unit_figures,
    unit_leaders,
    unit_lineage,
    units,
    user_recovery_codes,
    users,
    violation_parties,
    violation_rules,
    violations,
);
