// @generated automatically by Diesel CLI.

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
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> units (unit_id));

diesel::allow_tables_to_appear_in_same_query!(refresh_tokens, unit_lineage, units, users,);
