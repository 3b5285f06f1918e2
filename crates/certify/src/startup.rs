//! Start-up as a library function: build the application from settings, bind (port 0 in tests),
//! report the bound address, then listen and serve until a shutdown signal.
//!
//! The address is bound at once (so that a taken port fails start-up, and port 0 is known) but
//! listened on only when everything is ready, demo data included: until then a connection is
//! refused at once rather than left waiting unanswered.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::serve::ListenerExt as _;
use certify_accounts::{ClientTokenSettings, SessionSettings, SignInLimits, SignInThrottle};
use certify_api::{AppState, RateLimit};
use certify_certificates::{IssuerSettings, VerificationCache};
use certify_core::SharedClock;
use certify_progress::LiveHeadline;
use sea_orm::DatabaseConnection;
use tokio::net::TcpSocket;

use crate::config::Settings;
use crate::db;
use crate::issuance::IssueOnPass;
use crate::listener::ProblemListener;

/// Connections that may wait to be accepted while the server is busy.
const BACKLOG: u32 = 1024;

pub struct Application {
    /// Bound, not yet listening.
    socket: TcpSocket,
    state: AppState,
}

impl Application {
    /// Opens and migrates the database, then binds the listener. Fails with a one-line reason on a
    /// database that cannot be opened or an address that cannot be bound.
    pub async fn build(settings: &Settings, clock: SharedClock) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database_url, settings.database_max_connections).await?;
        db::migrate(&db).await?;
        Self::with_database(settings, clock, db).await
    }

    /// Like [`Application::build`] with a database that is already open and migrated.
    pub async fn with_database(
        settings: &Settings,
        clock: SharedClock,
        db: DatabaseConnection,
    ) -> anyhow::Result<Self> {
        let socket = bind(settings.listen).with_context(|| format!("cannot listen on {}", settings.listen))?;
        // Created on first start and shared through the database by every instance.
        certify_certificates::key_store::ensure_signing_key(&db, clock.now()).await?;
        let issuer = IssuerSettings {
            public_base_url: settings.public_base_url(socket.local_addr().context("reading the bound address")?),
            issuer_name: settings.issuer_name.clone(),
        };
        certify_progress::initialise_progress(&db, clock.now(), &certify_certificates::StoredCertificates).await?;
        let live_headline = Arc::new(LiveHeadline::new(certify_progress::headline(&db).await?));
        let certificate_cache = Arc::new(VerificationCache::new(settings.verification_cache_capacity));
        certificate_cache.follow_changes(&db).await?;
        let sign_in_throttle = Arc::new(SignInThrottle::new(SignInLimits::default(), clock.clone()));
        let token_throttle = Arc::new(SignInThrottle::new(SignInLimits::token_requests(), clock.clone()));
        let pass_hook = Arc::new(IssueOnPass {
            settings: issuer.clone(),
            db: db.clone(),
            cache: Arc::clone(&certificate_cache),
        });
        let state = AppState {
            db,
            clock,
            sign_in_throttle,
            token_throttle,
            client_tokens: ClientTokenSettings::default(),
            sso: Arc::new(certify_sso::Directory::new(certify_outbound::OutboundPolicy {
                allow_loopback: settings.allow_loopback_outbound,
            })?),
            sessions: SessionSettings {
                lifetime: settings.token_lifetime,
                idle: settings.session_idle,
            },
            pass_hook,
            issuer,
            certificate_cache,
            goal: settings.progress_goal,
            live_headline,
            breakdowns: Arc::default(),
            verify_rate_limit: RateLimit {
                per_second: settings.verify_requests_per_second,
                burst: settings.verify_burst,
            },
        };
        Ok(Self { socket, state })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        self.socket.local_addr().context("reading the bound address")
    }

    pub fn database(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Seeds the demo programme (see [`crate::demo`]) as this application's issuer.
    pub async fn seed_demo(&self, now: time::OffsetDateTime) -> anyhow::Result<crate::demo::SeedOutcome> {
        crate::demo::seed(&self.state.db, now, &self.state.issuer, self.state.pass_hook.as_ref()).await
    }

    /// Starts listening at once, and returns the serving, which lasts until `shutdown`
    /// completes and then lets in-flight requests finish. Listening before the future is first
    /// polled means a connection made as soon as this returns is accepted.
    pub fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<impl Future<Output = anyhow::Result<()>> + Send> {
        let listener = self.socket.listen(BACKLOG).context("listening")?;
        Ok(serve(listener, self.state, shutdown))
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let follower = tokio::spawn(follow_certificate_changes(state.clone()));
    let progress = tokio::spawn(follow_progress(state.clone()));
    let purger = tokio::spawn(purge_expired_credentials(state.clone()));
    let live_headline = Arc::clone(&state.live_headline);
    // Live streams never end by themselves; end them so in-flight requests can finish.
    let shutdown = async move {
        shutdown.await;
        live_headline.close();
    };
    let app = certify_api::app(state, certify_web::pages());
    // The peer address is what certificate look-ups are rate limited by. (`tap_io` adds
    // nothing; it is how axum gives a custom listener's peer address as `ConnectInfo`.)
    let listener = ProblemListener(listener).tap_io(|_| ());
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP");
    follower.abort();
    progress.abort();
    purger.abort();
    served
}

/// Binds `address` without listening, as `TcpListener::bind` would (address reuse on).
fn bind(address: SocketAddr) -> std::io::Result<TcpSocket> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    Ok(socket)
}

/// How often an instance reads the certificate change feed: the longest a revocation made on
/// another instance can go unseen here.
const CHANGE_FEED_INTERVAL: Duration = Duration::from_millis(250);

/// Keeps this instance's verification cache in step with changes made by every instance.
async fn follow_certificate_changes(state: AppState) {
    let mut ticks = tokio::time::interval(CHANGE_FEED_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = state.certificate_cache.follow_changes(&state.db).await {
            tracing::warn!(error = %err, "could not read the certificate change feed; retrying");
        }
    }
}

/// How often an instance applies due expiries and reads the headline for its live subscribers:
/// the longest an expiry, or a change made on another instance, goes unseen in the stream.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// Sweeps expired certificates off the counters (the clock decides what is due) and publishes
/// the headline whenever it changes, whichever instance changed it.
async fn follow_progress(state: AppState) {
    let mut ticks = tokio::time::interval(PROGRESS_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = certify_progress::sweep_expired(&state.db, state.clock.now()).await {
            tracing::warn!(error = %err, "could not apply due certificate expiries; retrying");
        }
        if let Err(err) = state.live_headline.refresh(&state.db).await {
            tracing::warn!(error = %err, "could not read the progress headline; retrying");
        }
    }
}

/// How often an instance deletes expired sessions and client tokens. Every instance does it;
/// deleting what another instance already deleted is harmless.
const PURGE_INTERVAL: Duration = Duration::from_secs(600);

/// Keeps the session and client-token tables to what can still be used.
async fn purge_expired_credentials(state: AppState) {
    let mut ticks = tokio::time::interval(PURGE_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match certify_accounts::purge_expired(&state.db, state.clock.now()).await {
            Ok(purged) => tracing::debug!(?purged, "purged expired sessions and client tokens"),
            Err(err) => tracing::warn!(error = %err, "could not purge expired sessions; retrying"),
        }
        if let Err(err) = certify_sso::purge_abandoned(&state.db, state.clock.now()).await {
            tracing::warn!(error = %err, "could not purge abandoned sign-ins; retrying");
        }
    }
}

/// Completes on ctrl-c or SIGTERM, whichever comes first.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
