//! What every handler shares: the pool, the settings, the signing keys, the login throttle,
//! the revocation set and the metrics. It sits below the handlers (they import it;
//! it imports none of them); `app.rs` builds the application around it.

use std::sync::Arc;

use crate::auth::revocation::Revocations;
use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::{load_or_create_secret, JwtKeys};
use crate::config::Settings;
use crate::db::Pool;
use crate::telemetry::Metrics;

/// What every handler can reach.
pub struct AppState {
    /// In the server, each worker's own pool (see [`Application::build`]).
    pub pool: Pool,
    pub settings: Settings,
    pub jwt: Arc<JwtKeys>,
    /// Process-wide, shared by the workers.
    pub throttle: Arc<LoginThrottle>,
    /// Users' token epochs, kept current by [`Revocations::spawn_listener`].
    pub revocations: Arc<Revocations>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(settings: Settings, pool: Pool) -> anyhow::Result<Self> {
        let secret = load_or_create_secret(settings.jwt_secret.as_ref(), &settings.data_dir)?;
        Ok(Self {
            jwt: Arc::new(JwtKeys::new(&secret, settings.access_token_ttl.as_secs() as i64)?),
            throttle: Arc::new(LoginThrottle::new(settings.login_max_failures, settings.login_window)),
            revocations: Arc::default(),
            metrics: Arc::default(),
            pool,
            settings,
        })
    }

    /// The same state over another pool (a worker's own).
    pub fn with_pool(&self, pool: Pool) -> Self {
        Self {
            pool,
            settings: self.settings.clone(),
            jwt: self.jwt.clone(),
            throttle: self.throttle.clone(),
            revocations: self.revocations.clone(),
            metrics: self.metrics.clone(),
        }
    }
}
