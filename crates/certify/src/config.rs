//! Settings come from, in order of precedence: command-line flags, `CERTIFY_*` environment
//! variables, an optional TOML file (`--config` / `CERTIFY_CONFIG`), then defaults. Each source is
//! read into the same [`Layer`] of optional values and the layers are stacked, so the precedence
//! rule is written once, in [`Layer::or`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use certify_progress::Goal;
use serde::Deserialize;
use time::macros::{date, format_description};
use time::{Date, Duration};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://certify.db?mode=rwc";
pub const DEFAULT_ISSUER_NAME: &str = "AI Partner Network Certification Programme";
/// The programme's promise: 300,000 certified consultants by the end of 2026.
pub const DEFAULT_PROGRESS_TARGET: u64 = 300_000;
pub const DEFAULT_PROGRESS_DEADLINE: Date = date!(2026 - 12 - 31);

/// Settings after every source has been applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The address people reach this deployment at, when it differs from the listen address
    /// (behind a proxy); see [`Settings::public_base_url`].
    pub public_base_url: Option<String>,
    pub token_lifetime: Duration,
    /// How long a session lasts unused (it also ends after `token_lifetime` whatever its use).
    pub session_idle: Duration,
    pub database_max_connections: u32,
    pub log_format: LogFormat,
    /// The issuer named on every certificate.
    pub issuer_name: String,
    /// Certificate look-ups one client address may make per second, and in a burst.
    pub verify_requests_per_second: u32,
    pub verify_burst: u32,
    /// How many certificates' verification answers each instance keeps in memory.
    pub verification_cache_capacity: u64,
    /// The programme's promise: this many certified consultants by the end of this day (UTC).
    pub progress_goal: Goal,
    /// Whether requests the server makes on others' behalf (identity providers) may go to this
    /// machine's loopback address, plain http included. Off in production; tests and a provider
    /// on the same machine turn it on.
    pub allow_loopback_outbound: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

impl Settings {
    /// Where people open this deployment: the configured public URL, else the bound address.
    pub fn public_base_url(&self, bound: SocketAddr) -> String {
        self.public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
    }
}

/// One source's view of the settings: whatever it does not set is `None`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub listen: Option<SocketAddr>,
    pub database_url: Option<String>,
    pub public_base_url: Option<String>,
    pub token_lifetime_minutes: Option<u32>,
    pub session_idle_minutes: Option<u32>,
    pub database_max_connections: Option<u32>,
    pub log_format: Option<LogFormat>,
    pub issuer_name: Option<String>,
    pub verify_requests_per_second: Option<u32>,
    pub verify_burst: Option<u32>,
    pub verification_cache_capacity: Option<u64>,
    pub progress_target: Option<u64>,
    /// `YYYY-MM-DD`.
    pub progress_deadline: Option<String>,
    pub allow_loopback_outbound: Option<bool>,
}

impl Layer {
    /// Values of `self`, falling back to `lower` where `self` has none.
    pub fn or(self, lower: Layer) -> Layer {
        Layer {
            listen: self.listen.or(lower.listen),
            database_url: self.database_url.or(lower.database_url),
            public_base_url: self.public_base_url.or(lower.public_base_url),
            token_lifetime_minutes: self.token_lifetime_minutes.or(lower.token_lifetime_minutes),
            session_idle_minutes: self.session_idle_minutes.or(lower.session_idle_minutes),
            database_max_connections: self.database_max_connections.or(lower.database_max_connections),
            log_format: self.log_format.or(lower.log_format),
            issuer_name: self.issuer_name.or(lower.issuer_name),
            verify_requests_per_second: self.verify_requests_per_second.or(lower.verify_requests_per_second),
            verify_burst: self.verify_burst.or(lower.verify_burst),
            verification_cache_capacity: self.verification_cache_capacity.or(lower.verification_cache_capacity),
            progress_target: self.progress_target.or(lower.progress_target),
            progress_deadline: self.progress_deadline.or(lower.progress_deadline),
            allow_loopback_outbound: self.allow_loopback_outbound.or(lower.allow_loopback_outbound),
        }
    }

    /// Reads `CERTIFY_<SETTING>` variables through `lookup` (the process environment in
    /// production, a map in tests).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Layer> {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        Ok(Layer {
            listen: parse_var(&get, "CERTIFY_LISTEN")?,
            database_url: get("CERTIFY_DATABASE_URL"),
            public_base_url: get("CERTIFY_PUBLIC_BASE_URL"),
            token_lifetime_minutes: parse_var(&get, "CERTIFY_TOKEN_LIFETIME_MINUTES")?,
            session_idle_minutes: parse_var(&get, "CERTIFY_SESSION_IDLE_MINUTES")?,
            database_max_connections: parse_var(&get, "CERTIFY_DATABASE_MAX_CONNECTIONS")?,
            log_format: match get("CERTIFY_LOG_FORMAT").as_deref() {
                None => None,
                Some("text") => Some(LogFormat::Text),
                Some("json") => Some(LogFormat::Json),
                Some(other) => bail!("CERTIFY_LOG_FORMAT must be `text` or `json`, not `{other}`"),
            },
            issuer_name: get("CERTIFY_ISSUER_NAME"),
            verify_requests_per_second: parse_var(&get, "CERTIFY_VERIFY_REQUESTS_PER_SECOND")?,
            verify_burst: parse_var(&get, "CERTIFY_VERIFY_BURST")?,
            verification_cache_capacity: parse_var(&get, "CERTIFY_VERIFICATION_CACHE_CAPACITY")?,
            progress_target: parse_var(&get, "CERTIFY_PROGRESS_TARGET")?,
            progress_deadline: get("CERTIFY_PROGRESS_DEADLINE"),
            allow_loopback_outbound: parse_var(&get, "CERTIFY_ALLOW_LOOPBACK_OUTBOUND")?,
        })
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Layer> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).map_err(|err| {
            // toml renders a multi-line source snippet; start-up failures are one line.
            let (line, column) = err.span().map_or((0, 0), |span| line_and_column(&text, span.start));
            anyhow::anyhow!(
                "config file {} is invalid at line {line}, column {column}: {}",
                path.display(),
                err.message().trim()
            )
        })
    }

    pub fn resolve(self) -> anyhow::Result<Settings> {
        let listen = match self.listen {
            Some(listen) => listen,
            None => DEFAULT_LISTEN.parse().context("default listen address")?,
        };
        let token_minutes = self.token_lifetime_minutes.unwrap_or(12 * 60);
        if token_minutes == 0 {
            bail!("token_lifetime_minutes must be at least 1");
        }
        let idle_minutes = self.session_idle_minutes.unwrap_or(30);
        if idle_minutes == 0 {
            bail!("session_idle_minutes must be at least 1");
        }
        let max_connections = self.database_max_connections.unwrap_or(8);
        if max_connections == 0 {
            bail!("database_max_connections must be at least 1");
        }
        let public_base_url = self.public_base_url.map(|url| url.trim_end_matches('/').to_owned());
        let verify_requests_per_second = self.verify_requests_per_second.unwrap_or(20);
        let verify_burst = self.verify_burst.unwrap_or(40);
        if verify_requests_per_second == 0 || verify_burst == 0 {
            bail!("verify_requests_per_second and verify_burst must be at least 1");
        }
        let progress_goal = Goal {
            target: self.progress_target.unwrap_or(DEFAULT_PROGRESS_TARGET),
            deadline: match &self.progress_deadline {
                Some(raw) => Date::parse(raw.trim(), format_description!("[year]-[month]-[day]"))
                    .map_err(|_| anyhow::anyhow!("progress_deadline must be a date written YYYY-MM-DD, not `{raw}`"))?,
                None => DEFAULT_PROGRESS_DEADLINE,
            },
        };
        if progress_goal.target == 0 {
            bail!("progress_target must be at least 1");
        }
        Ok(Settings {
            listen,
            database_url: self.database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            public_base_url,
            token_lifetime: Duration::minutes(i64::from(token_minutes)),
            session_idle: Duration::minutes(i64::from(idle_minutes)),
            database_max_connections: max_connections,
            log_format: self.log_format.unwrap_or(LogFormat::Text),
            issuer_name: self.issuer_name.unwrap_or_else(|| DEFAULT_ISSUER_NAME.to_owned()),
            verify_requests_per_second,
            verify_burst,
            verification_cache_capacity: self.verification_cache_capacity.unwrap_or(500_000),
            progress_goal,
            allow_loopback_outbound: self.allow_loopback_outbound.unwrap_or(false),
        })
    }
}

/// 1-based line and column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn parse_var<T: std::str::FromStr>(get: &impl Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    get(name)
        .map(|raw| {
            raw.parse::<T>()
                .map_err(|err| anyhow::anyhow!("{name}=`{raw}` is invalid: {err}"))
        })
        .transpose()
}

/// Stacks flags over the environment over the config file (named by a flag or by
/// `CERTIFY_CONFIG`) and resolves defaults.
pub fn load(
    flags: Layer,
    config_flag: Option<PathBuf>,
    lookup: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Settings> {
    let env = Layer::from_env(&lookup)?;
    let config_path = config_flag.or_else(|| lookup("CERTIFY_CONFIG").filter(|p| !p.is_empty()).map(PathBuf::from));
    let file = match config_path {
        Some(path) => Layer::from_file(&path)?,
        None => Layer::default(),
    };
    flags.or(env).or(file).resolve()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write as _;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| map.get(name).cloned()
    }

    fn config_file(body: &str) -> anyhow::Result<tempfile::NamedTempFile> {
        let mut file = tempfile::NamedTempFile::new()?;
        file.write_all(body.as_bytes())?;
        Ok(file)
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() -> anyhow::Result<()> {
        let settings = load(Layer::default(), None, env(&[]))?;
        assert_eq!(settings.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(settings.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(settings.public_base_url(settings.listen), "http://127.0.0.1:8080");
        assert_eq!(settings.token_lifetime, Duration::hours(12));
        assert_eq!(settings.session_idle, Duration::minutes(30));
        assert_eq!(settings.progress_goal.target, 300_000);
        assert_eq!(settings.progress_goal.deadline, date!(2026 - 12 - 31));
        assert!(!settings.allow_loopback_outbound, "production never reaches loopback");
        let settings = load(
            Layer::default(),
            None,
            env(&[("CERTIFY_ALLOW_LOOPBACK_OUTBOUND", "true")]),
        )?;
        assert!(settings.allow_loopback_outbound);
        Ok(())
    }

    #[test]
    fn the_programme_goal_is_configurable_and_checked() -> anyhow::Result<()> {
        let file = config_file("progress_target = 1000\nprogress_deadline = \"2027-06-30\"\n")?;
        let settings = load(Layer::default(), Some(file.path().into()), env(&[]))?;
        assert_eq!(settings.progress_goal.target, 1000);
        assert_eq!(settings.progress_goal.deadline, date!(2027 - 06 - 30));
        let settings = load(Layer::default(), None, env(&[("CERTIFY_PROGRESS_TARGET", "5")]))?;
        assert_eq!(settings.progress_goal.target, 5);
        for bad in [
            ("CERTIFY_PROGRESS_DEADLINE", "31/12/2026"),
            ("CERTIFY_PROGRESS_TARGET", "0"),
        ] {
            let err = load(Layer::default(), None, env(&[bad]))
                .err()
                .ok_or_else(|| anyhow::anyhow!("{bad:?} accepted"))?;
            assert!(format!("{err:#}").contains("progress_"), "{err:#}");
        }
        Ok(())
    }

    #[test]
    fn flags_beat_environment_which_beats_the_file() -> anyhow::Result<()> {
        let file = config_file(
            "listen = \"127.0.0.1:7000\"\ndatabase_url = \"sqlite://file.db\"\ntoken_lifetime_minutes = 5\n",
        )?;
        let environment = env(&[
            ("CERTIFY_CONFIG", file.path().to_str().unwrap_or_default()),
            ("CERTIFY_DATABASE_URL", "sqlite://env.db"),
            ("CERTIFY_LISTEN", "127.0.0.1:7001"),
        ]);
        let flags = Layer {
            listen: Some("127.0.0.1:7002".parse()?),
            ..Layer::default()
        };
        let settings = load(flags, None, environment)?;
        assert_eq!(settings.listen.to_string(), "127.0.0.1:7002", "flag wins");
        assert_eq!(settings.database_url, "sqlite://env.db", "environment beats file");
        assert_eq!(settings.token_lifetime, Duration::minutes(5), "file beats default");
        Ok(())
    }

    #[test]
    fn bad_sources_are_reported_not_ignored() -> anyhow::Result<()> {
        let missing = load(Layer::default(), Some("/nonexistent/certify.toml".into()), env(&[]));
        assert!(
            format!("{:#}", missing.err().ok_or_else(|| anyhow::anyhow!("accepted"))?)
                .contains("cannot read config file")
        );

        let typo = config_file("lisen = \"127.0.0.1:1\"\n")?;
        let err = load(Layer::default(), Some(typo.path().into()), env(&[]))
            .err()
            .ok_or_else(|| anyhow::anyhow!("accepted"))?;
        assert!(
            format!("{err:#}").contains("at line 1, column 1: unknown field `lisen`"),
            "{err:#}"
        );

        let err = load(Layer::default(), None, env(&[("CERTIFY_LISTEN", "not-an-address")]))
            .err()
            .ok_or_else(|| anyhow::anyhow!("accepted"))?;
        assert!(format!("{err:#}").contains("CERTIFY_LISTEN"), "{err:#}");
        Ok(())
    }
}
