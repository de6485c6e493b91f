DROP TABLE partner_rate;
DROP FUNCTION login_throttle_begin;
DROP TABLE login_throttle;
DROP TABLE user_recovery_codes;
DROP TRIGGER users_revoked ON users;
DROP FUNCTION users_revoked;
DROP TRIGGER users_token_epoch ON users;
DROP FUNCTION users_token_epoch;
DROP INDEX users_epoch_changed;
ALTER TABLE users
    DROP COLUMN token_epoch, DROP COLUMN epoch_changed_at, DROP COLUMN must_change_password,
    DROP COLUMN totp_secret_sealed, DROP COLUMN totp_enabled_at, DROP COLUMN totp_last_step,
    DROP COLUMN two_factor_exempt;
