//! The `binhdang` command: serve, migrate, seed, openapi, user.

use anyhow::Context;
use clap::{Parser, Subcommand};

use binhdang::auth::Role;
use binhdang::config::{Secret, Settings};
use binhdang::{app, db, seed, telemetry, units, users};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "binhdang",
    version,
    about = "REST/JSON API for a city's gender-equality programme"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API (applies pending migrations first).
    Serve {
        /// Address to bind (env BIND, default 127.0.0.1).
        #[arg(long)]
        bind: Option<String>,
        /// Port (env PORT, default 8080).
        #[arg(long)]
        port: Option<u16>,
        /// Also load the reference data and the demo users, and print their credentials
        /// (env BINHDANG_DEMO=1; any value but 0, false, no, off or empty means yes).
        #[arg(long, env = "BINHDANG_DEMO")]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Load the reference data (idempotent).
    Seed {
        /// Also add demo users, one per role, and print their credentials.
        #[arg(long)]
        demo: bool,
        /// Also build a country-sized synthetic dataset with this many commune-level units
        /// (10000 is national scale), for benchmarks.
        #[arg(long, value_name = "COMMUNES")]
        synthetic: Option<u32>,
        /// Activity records of the synthetic dataset (trainings, outreach, petitions,
        /// inspections, violations), spread over 2021-2025.
        #[arg(long, default_value_t = 1_000_000)]
        records: u32,
        /// Audit-trail (and change-feed) entries of the synthetic dataset: a create for each
        /// training and outreach event, then updates of them in turn (0 for none).
        #[arg(long, default_value_t = 0)]
        audit_events: u64,
    },
    /// Back up the database (records, audit trail and attachment files) to FILE, a
    /// `pg_dump` custom-format archive (mode 0600). Safe while the service runs.
    Backup { file: std::path::PathBuf },
    /// Restore a backup made by `backup` into the database (the embedded default, or
    /// DATABASE_URL), then apply any newer migrations. Stop the service first.
    Restore {
        file: std::path::PathBuf,
        /// Empty a database that already holds data before restoring (all of it is lost).
        #[arg(long)]
        replace: bool,
    },
    /// Seal again under DATA_KEY what the previous key (DATA_KEY_PREVIOUS) sealed: survivors'
    /// identities and two-factor secrets. Run after rotating the data key; idempotent.
    Reseal,
    /// Run the background workers alone (webhook deliveries, large imports and the roll-ups'
    /// compaction, as `serve` does too); any number may run at once.
    Worker,
    /// Check the live roll-ups (what the summaries of whole months read) against the records,
    /// computed afresh in one snapshot: prints each difference and exits 1 when there is any.
    VerifyRollups {
        /// Rebuild them from the records instead (after data written with the triggers off).
        #[arg(long)]
        rebuild: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Add {
        #[arg(long)]
        username: String,
        /// Read the password from standard input (its first line) instead of prompting for it.
        /// Passwords are never taken on the command line, where `ps` and shell history see them.
        #[arg(long)]
        password_stdin: bool,
        /// The unit: its id, or its official code (e.g. 13633).
        #[arg(long)]
        unit: String,
        /// admin, manager, officer, inspector or viewer (any case).
        #[arg(long)]
        role: String,
    },
}

/// What the command tells its operator: a line of text, or with `LOG_FORMAT=json` a log event,
/// so that every line on standard output is one JSON object.
fn say(json: bool, message: &str) {
    if json {
        tracing::info!("{message}");
    } else {
        println!("{message}");
    }
}

fn print_demo_credentials(json: bool, users: &[(String, Role)]) {
    // A log never carries a password, not even the public demo one.
    let heading = if json {
        "Demo users (their password is the demo password in the README):".to_string()
    } else {
        format!("Demo users (password for all: {}):", seed::DEMO_PASSWORD)
    };
    say(json, &heading);
    for (u, r) in users {
        say(json, &format!("  {u:<16} {}", r.as_str()));
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::from_env()?;
    if let Command::Openapi = cli.command {
        println!("{}", serde_json::to_string_pretty(&app::api_document())?);
        return Ok(());
    }
    let json = settings.log_json;
    let _log = telemetry::init(json, matches!(cli.command, Command::Serve { .. } | Command::Worker));
    // Only the set-up commands may create the embedded cluster; the others act on a database
    // that already exists, and say where they looked when there is none.
    let sets_up = matches!(
        cli.command,
        Command::Serve { .. } | Command::Migrate | Command::Seed { .. } | Command::Restore { .. }
    );
    let password = match &cli.command {
        Command::User {
            command: UserCommand::Add { password_stdin, .. },
        } => Some(read_password(*password_stdin)?),
        _ => None,
    };
    let (url, embedded) = db::resolve(&settings, sets_up).await?;
    let result = async {
        // A backup reads the database as it is; a restore fills it, then migrates it.
        match &cli.command {
            Command::Backup { file } => {
                let bytes = db::backup::backup(&url, file).await?;
                say(
                    json,
                    &format!(
                        "Backed up {} to {} ({bytes} bytes).",
                        db::describe(&url),
                        file.display()
                    ),
                );
                return Ok(());
            }
            Command::Restore { file, replace } => {
                db::backup::restore(&url, file, *replace).await?;
                say(
                    json,
                    &format!("Restored {} into {}.", file.display(), db::describe(&url)),
                );
            }
            _ => {}
        }
        db::run_migrations(&url).await.with_context(|| {
            format!(
                "the database at {} did not answer; point DATABASE_URL at a running server, or \
                 leave it unset to use the embedded database under BINHDANG_DATA_DIR",
                db::describe(&url)
            )
        })?;
        let pool = db::build_pool(&url, settings.db_pool_size)?;
        if sets_up {
            // Files an earlier version kept on disk move into the database, once.
            let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let (imported, missing) =
                binhdang::attachments::queries::import_files(&mut conn, &settings.attachments_dir).await?;
            if imported + missing > 0 {
                say(
                    json,
                    &format!(
                        "Attachments imported from {}: {imported} ({missing} missing).",
                        settings.attachments_dir.display()
                    ),
                );
            }
        }
        match cli.command {
            Command::Openapi => unreachable!("handled above"),
            Command::Migrate | Command::Restore { .. } => say(json, "Migrations applied."),
            Command::Backup { .. } => unreachable!("handled above"),
            Command::Worker => {
                say(json, "Webhook, import and roll-up worker running (stop with Ctrl-C).");
                let key = binhdang::auth::second_factor::DataKey::from_settings(&settings)?;
                tokio::select! {
                    _ = binhdang::webhooks::worker::run(pool.clone(), key, settings.webhooks.clone()) => {}
                    _ = binhdang::imports::run::run(pool.clone(), std::time::Duration::from_secs(1)) => {}
                    _ = binhdang::reports::rollups::run(pool.clone(), settings.rollup_compaction) => {}
                    _ = tokio::signal::ctrl_c() => say(json, "Webhook worker stopped."),
                }
            }
            Command::VerifyRollups { rebuild } => {
                let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                if rebuild {
                    binhdang::reports::rollups::rebuild(&mut conn).await?;
                    say(json, "Roll-ups rebuilt from the records.");
                } else {
                    let started = std::time::Instant::now();
                    let found = binhdang::reports::rollups::verify(&mut conn, 100).await?;
                    for m in &found {
                        say(
                            json,
                            &format!("  {} {} {}: stored {}, records {}", m.unit_id, m.month, m.measure, m.stored, m.computed),
                        );
                    }
                    if !found.is_empty() {
                        anyhow::bail!("the roll-ups differ from the records in {} place(s) (at most 100 shown); `verify-rollups --rebuild` rebuilds them", found.len());
                    }
                    say(
                        json,
                        &format!("Roll-ups exact: facts plus deltas equal the records ({:.1} s).", started.elapsed().as_secs_f64()),
                    );
                }
            }
            Command::Reseal => {
                let key = binhdang::auth::second_factor::DataKey::from_settings(&settings)?;
                let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                let (identities, secrets) = binhdang::support_cases::queries::reseal_all(&mut conn, &key).await?;
                let hooks = binhdang::webhooks::queries::reseal_secrets(&mut conn, &key).await?;
                say(
                    json,
                    &format!("Sealed again under the current data key: {identities} identities, {secrets} two-factor secrets, {hooks} webhook signing secrets."),
                );
            }
            Command::Seed {
                demo,
                synthetic,
                records,
                audit_events,
            } => {
                let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                let report = seed::seed_reference(&mut conn).await?;
                say(
                    json,
                    &format!(
                        "Reference data loaded ({} new rows, {} updated).",
                        report.inserted, report.updated
                    ),
                );
                for kept in &report.kept {
                    say(json, &format!("Left alone: {kept}"));
                }
                if demo {
                    print_demo_credentials(
                        json,
                        &seed::seed_demo(
                            &mut conn,
                            &binhdang::auth::second_factor::DataKey::from_settings(&settings)?,
                        )
                        .await?,
                    );
                }
                if let Some(communes) = synthetic {
                    let started = std::time::Instant::now();
                    seed::synthetic::load(&mut conn, communes, records, audit_events).await?;
                    say(
                        json,
                        &format!(
                            "Synthetic data loaded: {communes} communes, {records} records, {audit_events} audit events in {:.1} s.",
                            started.elapsed().as_secs_f64()
                        ),
                    );
                }
            }
            Command::User {
                command: UserCommand::Add {
                    username, unit, role, ..
                },
            } => {
                let password = password.context("the password was read above")?;
                let role = Role::parse(&role.trim().to_lowercase())
                    .filter(|r| *r != Role::Partner)
                    .with_context(|| {
                        format!("unknown role {role:?}: use admin, manager, officer, inspector or viewer")
                    })?;
                let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                let unit_row = units::queries::find_by_id_or_code(&mut conn, &unit)
                    .await?
                    .with_context(|| format!("unknown unit {unit:?}: give a unit id or official code"))?;
                let id = users::add_user(&mut conn, &username, password, unit_row.id, role).await?;
                say(
                    json,
                    &format!(
                        "User {username} ({}) created in {} with id {id}.",
                        role.as_str(),
                        unit_row.name
                    ),
                );
            }
            Command::Serve { bind, port, demo } => {
                if let Some(b) = bind {
                    settings.bind = b;
                }
                if let Some(p) = port {
                    settings.port = p;
                }
                if demo {
                    let mut conn = pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    for kept in seed::seed_reference(&mut conn).await?.kept {
                        tracing::warn!(%kept, "reference data left alone");
                    }
                    print_demo_credentials(
                        json,
                        &seed::seed_demo(
                            &mut conn,
                            &binhdang::auth::second_factor::DataKey::from_settings(&settings)?,
                        )
                        .await?,
                    );
                }
                // Idempotency keys are kept at least 24 hours; purge older ones hourly, with the
                // login throttle's closed windows.
                let purge_pool = pool.clone();
                let throttle =
                    binhdang::auth::throttle::LoginThrottle::new(settings.login_max_failures, settings.login_window);
                tokio::spawn(async move {
                    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
                    loop {
                        every.tick().await;
                        if let Ok(mut conn) = purge_pool.get().await {
                            if let Err(e) = binhdang::http::idempotency::purge_expired(&mut conn).await {
                                tracing::warn!(error = %e, "purging idempotency keys failed");
                            }
                            if let Err(e) = throttle.sweep(&mut conn).await {
                                tracing::warn!(error = %e, "clearing closed login-throttle windows failed");
                            }
                        }
                    }
                });
                // A spent refresh token's sealed successor is kept for its grace window only.
                let sweep_pool = pool.clone();
                tokio::spawn(async move {
                    let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
                    loop {
                        every.tick().await;
                        if let Ok(mut conn) = sweep_pool.get().await {
                            if let Err(e) = binhdang::auth::queries::forget_spent_successors(&mut conn).await {
                                tracing::warn!(error = %e, "clearing spent refresh successors failed");
                            }
                        }
                    }
                });
                if settings.webhooks.worker {
                    binhdang::webhooks::worker::spawn(
                        pool.clone(),
                        binhdang::auth::second_factor::DataKey::from_settings(&settings)?,
                        settings.webhooks.clone(),
                    );
                }
                // Large imports run in the background, on every instance (jobs are claimed).
                tokio::spawn(binhdang::imports::run::run(pool.clone(), std::time::Duration::from_secs(1)));
                // The roll-ups' deltas are folded in the background (one instance a round).
                tokio::spawn(binhdang::reports::rollups::run(pool.clone(), settings.rollup_compaction));
                let host = settings.bind.clone();
                let application = app::Application::build(settings, &url)?;
                let shown = if host == "0.0.0.0" {
                    "127.0.0.1".to_string()
                } else {
                    host
                };
                say(
                    json,
                    &format!("binhdang is listening on http://{shown}:{}", application.port()),
                );
                say(
                    json,
                    &format!("Swagger UI: http://{shown}:{}/swagger-ui/", application.port()),
                );
                application.run_until_stopped().await?;
            }
        }
        anyhow::Ok(())
    }
    .await;
    if let Some(pg) = embedded {
        if let Err(e) = pg.stop().await {
            eprintln!("warning: stopping the embedded PostgreSQL failed: {e:#}");
        }
    }
    result
}

/// The new user's password: the first line of standard input with `--password-stdin`, else a
/// prompt on the terminal (not echoed, asked twice).
fn read_password(from_stdin: bool) -> anyhow::Result<Secret> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let first = rpassword::prompt_password("Password: ")
            .context("no terminal to ask for the password on: pipe it in with --password-stdin")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        first
    };
    anyhow::ensure!(
        !password.trim().is_empty(),
        "the password is empty or only spaces: give one of at least 8 characters"
    );
    Ok(Secret::new(password))
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    // actix's server runs on this runtime through `actix_web::rt::System`-free mode (tokio).
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
