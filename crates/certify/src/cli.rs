//! The command line. Every failure ends as one `error: ...` line on stderr and exit code 1.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use certify_accounts::{NewAccount, Password, Role};
use certify_certificates::{IssuerSettings, StoredCertificates};
use certify_core::{Clock as _, DisplayName, Email, SystemClock};
use clap::{Args, Parser, Subcommand};

use crate::config::{self, Layer, LogFormat, Settings};
use crate::demo::{DEMO_ACCOUNTS, SeedOutcome};
use crate::startup::{Application, shutdown_signal};
use crate::{db, synthetic, telemetry, verify_cli};

#[derive(Debug, Parser)]
#[command(
    name = "certify",
    version,
    about = "Certification platform of the AI partner network"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(CommonArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Administrative tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The issuer's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check a certificate's credential JSON offline: its hash and signature, and with `--server`
    /// its standing. Exits 0 only when the certificate is valid.
    Verify(VerifyArgs),
    /// Fill the database with synthetic consultants holding signed certificates, for benchmarks.
    SeedSynthetic(SeedSyntheticArgs),
    /// The programme's counters toward its target.
    #[command(subcommand)]
    Progress(ProgressCommand),
}

#[derive(Debug, Subcommand)]
enum ProgressCommand {
    /// Recompute every counter from the certificates and report each difference from the stored
    /// ones. Exits 0 only when there is none (or, with `--repair`, once they are replaced).
    Reconcile(ReconcileArgs),
}

#[derive(Debug, Args)]
struct ReconcileArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Replace the stored counters with the recomputed ones when they differ.
    #[arg(long)]
    repair: bool,
}

#[derive(Debug, Args)]
struct SeedSyntheticArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// How many consultants (one certificate each).
    #[arg(long, default_value_t = 1000)]
    consultants: usize,
    /// Spread the consultants over this many new partner firms, round robin (0: no firm).
    #[arg(long, default_value_t = 0)]
    firms: usize,
    /// Write the certificates' hashes here, one per line (for load generators).
    #[arg(long, value_name = "FILE")]
    hashes_out: Option<PathBuf>,
    /// Public URL written into the certificates [env: CERTIFY_PUBLIC_BASE_URL]
    #[arg(long, value_name = "URL")]
    public_base_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Add a new signing key and retire the current one; retired keys stay published so the
    /// certificates they signed still verify.
    Rotate(CommonArgs),
    /// Give every certificate issued before proof sets its eddsa-rdfc-2022 proof too, made by the
    /// key that signed it and dated as its first proof. Hashes, PDFs and QR codes stay as they
    /// were. Safe to stop and run again.
    AddProofs(AddProofsArgs),
}

#[derive(Debug, Args)]
struct AddProofsArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Certificates per write transaction.
    #[arg(long, default_value_t = 500)]
    batch: u64,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The certificate PDF, or its credential JSON (`credential.json`).
    file: PathBuf,
    /// The issuer's JWK Set, saved from `/.well-known/jwks.json`.
    #[arg(long, value_name = "JWKS_FILE")]
    keys: Option<PathBuf>,
    /// The issuing server: fetch its keys and ask it about revocation and expiry.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a programme-staff account. The password is read from standard input (prompted for
    /// on a terminal).
    CreateStaff(CreateStaffArgs),
}

/// Settings every command that touches the database shares.
#[derive(Debug, Args)]
struct CommonArgs {
    /// TOML configuration file [env: CERTIFY_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL [env: CERTIFY_DATABASE_URL] [default: sqlite://certify.db?mode=rwc]
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Log format [env: CERTIFY_LOG_FORMAT] [default: text]
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Address to listen on [env: CERTIFY_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::SocketAddr>,
    /// Public URL of this deployment, if behind a proxy [env: CERTIFY_PUBLIC_BASE_URL]
    #[arg(long, value_name = "URL")]
    public_base_url: Option<String>,
    /// Seed demo data into an empty database and print the demo accounts.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Args)]
struct CreateStaffArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// E-mail address to sign in with.
    #[arg(long)]
    email: String,
    /// Name shown to others.
    #[arg(long)]
    name: String,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&anyhow::Error::new(err).context("cannot start the async runtime")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(common) => {
            let settings = settings(&common, Layer::default())?;
            telemetry::init(settings.log_format);
            let db = db::connect(&settings.database_url, 1).await?;
            db::migrate(&db).await?;
            println!("database {} is up to date", db::redact(&settings.database_url));
            Ok(())
        }
        Command::Openapi => {
            let document = certify_api::openapi()
                .to_pretty_json()
                .context("serialising the OpenAPI document")?;
            println!("{document}");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateStaff(args)) => create_staff(args).await,
        Command::Keys(KeysCommand::Rotate(common)) => {
            let settings = settings(&common, Layer::default())?;
            telemetry::init(settings.log_format);
            let db = db::connect(&settings.database_url, 1).await?;
            db::migrate(&db).await?;
            let id = certify_certificates::key_store::rotate_signing_key(&db, SystemClock.now()).await?;
            println!("new signing key {id}");
            println!("earlier keys stay published, so the certificates they signed still verify");
            Ok(())
        }
        Command::Keys(KeysCommand::AddProofs(args)) => {
            let settings = settings(&args.common, Layer::default())?;
            telemetry::init(settings.log_format);
            let db = db::connect(&settings.database_url, 1).await?;
            db::migrate(&db).await?;
            let done = certify_certificates::proof_sets::add_missing_rdf_proofs(&db, args.batch).await?;
            println!(
                "{} certificates read; {} given the eddsa-rdfc-2022 proof (their hashes unchanged)",
                done.examined, done.added
            );
            if done.skipped > 0 {
                println!("{} left as they were:", done.skipped);
                for reason in &done.reasons {
                    println!("  {reason}");
                }
            }
            Ok(())
        }
        Command::Verify(args) => verify(args).await,
        Command::SeedSynthetic(args) => seed_synthetic(args).await,
        Command::Progress(ProgressCommand::Reconcile(args)) => reconcile(args).await,
    }
}

/// Differences printed in full; beyond them only their number.
const DIFFERENCES_SHOWN: usize = 50;

async fn reconcile(args: ReconcileArgs) -> anyhow::Result<()> {
    let settings = settings(&args.common, Layer::default())?;
    telemetry::init(settings.log_format);
    let db = db::connect(&settings.database_url, 1).await?;
    db::migrate(&db).await?;
    let now = SystemClock.now();
    certify_progress::initialise_progress(&db, now, &StoredCertificates).await?;
    let outcome = certify_progress::reconcile_progress(&db, now, args.repair, &StoredCertificates).await?;
    println!(
        "certified consultants: {} (ever certified: {}), recomputed from the certificates",
        outcome.counters.certified, outcome.counters.ever_certified
    );
    if outcome.differences.is_empty() {
        println!("the stored counters match: no differences");
        return Ok(());
    }
    for difference in outcome.differences.iter().take(DIFFERENCES_SHOWN) {
        println!("difference: {difference}");
    }
    if outcome.differences.len() > DIFFERENCES_SHOWN {
        println!("… and {} more", outcome.differences.len() - DIFFERENCES_SHOWN);
    }
    if outcome.repaired {
        println!("repaired: the stored counters were replaced by the recomputed ones");
        Ok(())
    } else {
        bail!(
            "{} differences between the stored and the recomputed counters (run with --repair to replace them)",
            outcome.differences.len()
        )
    }
}

fn settings(common: &CommonArgs, flags: Layer) -> anyhow::Result<Settings> {
    let flags = Layer {
        database_url: common.database_url.clone(),
        log_format: common.log_format,
        ..Layer::default()
    }
    .or(flags);
    config::load(flags, common.config.clone(), |name| std::env::var(name).ok())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let flags = Layer {
        listen: args.listen,
        public_base_url: args.public_base_url,
        ..Layer::default()
    };
    let settings = settings(&args.common, flags)?;
    telemetry::init(settings.log_format);
    let clock = Arc::new(SystemClock);
    let app = Application::build(&settings, clock.clone()).await?;
    let base_url = settings.public_base_url(app.local_addr()?);
    if args.demo {
        match app.seed_demo(clock.now()).await? {
            SeedOutcome::Seeded => print_demo_accounts("Demo data seeded. Sign in with"),
            SeedOutcome::AlreadyPopulated => {
                print_demo_accounts(
                    "The database already has accounts, so no demo data was added. If it was seeded earlier, sign in with",
                );
            }
        }
    }
    // Listening from here on: whoever reads the address can connect.
    let serving = app.run_until(shutdown_signal())?;
    announce(&format!(
        "Certify is running at {base_url}/\n  API documentation: {base_url}/docs/\n  Stop with ctrl-c."
    ));
    serving.await
}

fn print_demo_accounts(heading: &str) {
    let mut text = format!("{heading}:");
    for account in DEMO_ACCOUNTS {
        text.push_str(&format!(
            "\n  {:<36} {:<26} password: {}",
            account.role, account.email, account.password
        ));
    }
    announce(&text);
}

/// Prints the server's start-up banner. Unlike `println!`, a closed stdout (whoever started the
/// server stopped reading it) is ignored: the server keeps serving instead of panicking.
fn announce(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}

async fn seed_synthetic(args: SeedSyntheticArgs) -> anyhow::Result<()> {
    let flags = Layer {
        public_base_url: args.public_base_url,
        ..Layer::default()
    };
    let settings = settings(&args.common, flags)?;
    telemetry::init(settings.log_format);
    let db = db::connect(&settings.database_url, settings.database_max_connections).await?;
    db::migrate(&db).await?;
    let now = SystemClock.now();
    certify_certificates::key_store::ensure_signing_key(&db, now).await?;
    // Count what is already stored first; from then on every issuance keeps the counters.
    certify_progress::initialise_progress(&db, now, &StoredCertificates).await?;
    let issuer = IssuerSettings {
        public_base_url: settings.public_base_url(settings.listen),
        issuer_name: settings.issuer_name.clone(),
    };
    let started = std::time::Instant::now();
    let hashes = synthetic::seed(&db, now, &issuer, args.consultants, args.firms).await?;
    println!(
        "seeded {} consultants with certificates in {:.1} s",
        hashes.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = args.hashes_out {
        synthetic::write_hashes(&path, &hashes)?;
        println!("hashes written to {}", path.display());
    }
    Ok(())
}

async fn create_staff(args: CreateStaffArgs) -> anyhow::Result<()> {
    let email = Email::parse(&args.email)?;
    let display_name = DisplayName::parse(&args.name).context("--name")?;
    let password = Password::parse(&read_password()?, &[&args.email, &args.name]).context("password")?;
    let settings = settings(&args.common, Layer::default())?;
    telemetry::init(settings.log_format);
    let db = db::connect(&settings.database_url, 1).await?;
    db::migrate(&db).await?;
    let new = NewAccount {
        email,
        display_name,
        role: Role::ProgrammeStaff,
        password: Some(password),
        must_change_password: false,
    };
    let account = certify_accounts::create_account(&db, SystemClock.now(), new).await?;
    println!("created programme-staff account {} ({})", account.email, account.id);
    Ok(())
}

async fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let upload = verify_cli::read_credential(&args.file)?;
    let hash = certify_certificates::proof::credential_hash(&upload.credential)?;
    let (keys, verdict) = match (&args.keys, &args.server) {
        (Some(path), None) => (verify_cli::read_keys(path)?, None),
        (keys_file, Some(server)) => {
            let (fetched, verdict) = verify_cli::from_server(server, hash.as_str()).await?;
            let keys = match keys_file {
                Some(path) => verify_cli::read_keys(path)?,
                None => fetched,
            };
            (keys, Some(verdict))
        }
        (None, None) => bail!("give --keys <jwks file> to check offline, or --server <url> to ask the issuer"),
    };
    let report = verify_cli::check(&upload, &keys, verdict.as_ref())?;
    for line in &report.lines {
        println!("{line}");
    }
    if report.valid {
        println!("VALID");
        Ok(())
    } else {
        bail!("the certificate is not valid")
    }
}

/// From a prompt on a terminal (asked twice), else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let again = rpassword::prompt_password("Repeat password: ").context("reading the password")?;
        if first != again {
            bail!("the passwords do not match");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
