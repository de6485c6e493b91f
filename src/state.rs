//! What every handler shares: the pool, the settings, the signing keys, the login throttle,
//! the revocation set and the metrics. It sits below the handlers (they import it;
//! it imports none of them); `app.rs` builds the application around it.

use std::sync::Arc;

use crate::auth::queries::Account;
use crate::auth::revocation::Revocations;
use crate::auth::second_factor::DataKey;
use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::{load_or_create_secret, JwtKeys};
use crate::auth::{Caller, CaseRole, Restriction, Role};
use crate::config::Settings;
use crate::db::Pool;
use crate::telemetry::Metrics;

/// What every handler can reach.
pub struct AppState {
    /// In the server, each worker's own pool (see [`Application::build`]).
    pub pool: Pool,
    /// The worker's shared connection for one-statement reads (taken from `pool`).
    pub reads: crate::db::SharedReads,
    pub settings: Settings,
    pub jwt: Arc<JwtKeys>,
    /// Process-wide, shared by the workers.
    pub throttle: Arc<LoginThrottle>,
    /// Seals stored secrets (two-factor secrets).
    pub data_key: DataKey,
    /// The roles that must sign in with two factors (`TWO_FACTOR_ROLES`).
    pub two_factor_roles: Vec<Role>,
    /// The case roles that must (`case_worker`, `case_supervisor` in `TWO_FACTOR_ROLES`).
    pub two_factor_case_roles: Vec<CaseRole>,
    /// Users' token epochs, kept current by [`Revocations::spawn_listener`].
    pub revocations: Arc<Revocations>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(settings: Settings, pool: Pool) -> anyhow::Result<Self> {
        let secret = load_or_create_secret(settings.jwt_secret.as_ref(), &settings.data_dir)?;
        let mut two_factor_roles = Vec::new();
        let mut two_factor_case_roles = Vec::new();
        for r in &settings.two_factor_roles {
            match (Role::parse(r).filter(|r| *r != Role::Partner), CaseRole::parse(r)) {
                (Some(role), _) => two_factor_roles.push(role),
                (None, Some(case_role)) => two_factor_case_roles.push(case_role),
                _ => anyhow::bail!("TWO_FACTOR_ROLES: unknown role {r:?}"),
            }
        }
        Ok(Self {
            data_key: DataKey::from_settings(&settings)?,
            two_factor_roles,
            two_factor_case_roles,
            jwt: Arc::new(JwtKeys::new(&secret, settings.access_token_ttl.as_secs() as i64)?),
            throttle: Arc::new(LoginThrottle::new(settings.login_max_failures, settings.login_window)),
            revocations: Arc::default(),
            metrics: Arc::default(),
            reads: crate::db::SharedReads::new(pool.clone()),
            pool,
            settings,
        })
    }

    /// The same state over another pool (a worker's own).
    pub fn with_pool(&self, pool: Pool) -> Self {
        Self {
            reads: crate::db::SharedReads::new(pool.clone()),
            pool,
            settings: self.settings.clone(),
            jwt: self.jwt.clone(),
            throttle: self.throttle.clone(),
            revocations: self.revocations.clone(),
            data_key: self.data_key.clone(),
            two_factor_roles: self.two_factor_roles.clone(),
            two_factor_case_roles: self.two_factor_case_roles.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

impl AppState {
    /// The caller a signed-in account gets: limited to changing its password while that is
    /// temporary, or to enrolling while its role requires two factors it has not set up (the
    /// `--demo` users are exempt).
    /// The account's role or case role requires two-factor sign-in (and it is not exempt).
    pub fn two_factor_required(&self, account: &Account) -> bool {
        !account.two_factor_exempt
            && (Role::parse(&account.role).is_some_and(|r| self.two_factor_roles.contains(&r))
                || account
                    .case_role
                    .as_deref()
                    .and_then(CaseRole::parse)
                    .is_some_and(|r| self.two_factor_case_roles.contains(&r)))
    }

    pub fn session_caller(&self, account: &Account) -> Option<Caller> {
        let mut caller = account.caller()?;
        if caller.restriction.is_none() && !account.two_factor && self.two_factor_required(account) {
            caller.restriction = Some(Restriction::TwoFactorEnrolment);
        }
        Some(caller)
    }
}
