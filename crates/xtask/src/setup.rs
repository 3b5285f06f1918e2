//! Installing what the tests need, idempotently: Debian packages (as root; otherwise the one
//! `apt-get install` line is printed and nothing runs), the npm packages of the committed lock
//! files, the pinned schemathesis, and PostgreSQL started if it is installed and down.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use crate::Result;
use crate::command::{capture, describe, is_root, on_path, root};
use crate::options::{Options, Part};

/// Where the Rust tests find a PostgreSQL server when `CERTIFY_TEST_POSTGRES_URL` is not set.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A program the tests run, and the Debian package that brings it.
struct Tool {
    program: &'static str,
    package: &'static str,
}

/// Read certificates independently of our code: poppler for the PDF, zbar for its QR code.
const PDF_TOOLS: [Tool; 5] = [
    Tool {
        program: "pdfinfo",
        package: "poppler-utils",
    },
    Tool {
        program: "pdftotext",
        package: "poppler-utils",
    },
    Tool {
        program: "pdftoppm",
        package: "poppler-utils",
    },
    Tool {
        program: "pdfdetach",
        package: "poppler-utils",
    },
    Tool {
        program: "zbarimg",
        package: "zbar-tools",
    },
];

/// `cargo xtask setup`: installs everything the chosen parts need, in the foreground.
pub fn prepare(options: &Options) -> Result {
    let installing = Installing::start(options)?;
    installing.finish()?;
    postgres_url(options).map(drop)
}

/// Installation that runs while the tests build. Debian packages are checked before it starts,
/// so a missing package without root stops at once with the command to run.
pub struct Installing {
    handle: thread::JoinHandle<Result<Vec<String>>>,
}

impl Installing {
    pub fn start(options: &Options) -> Result<Installing> {
        require_node(options)?;
        let packages = missing_packages(options);
        let may_install = options.install && is_root();
        if !packages.is_empty() && !may_install {
            return Err(format!(
                "the tests need programs this machine lacks ({}); install them with:\n\n  \
                 sudo apt-get install -y {}\n\nthen run the tests again.",
                packages
                    .iter()
                    .map(|(program, _)| *program)
                    .collect::<Vec<_>>()
                    .join(", "),
                debian_packages(&packages).join(" "),
            ));
        }
        let options = options.clone();
        let handle = thread::spawn(move || install(&options, &debian_packages(&packages)));
        Ok(Installing { handle })
    }

    /// Waits for the installation and reports what it did.
    pub fn finish(self) -> Result {
        let done = self
            .handle
            .join()
            .map_err(|_| "the installing thread panicked".to_string())??;
        if done.is_empty() {
            println!("setup: nothing to install");
        }
        for line in done {
            println!("setup: {line}");
        }
        Ok(())
    }
}

fn install(options: &Options, packages: &[&'static str]) -> Result<Vec<String>> {
    let mut done = Vec::new();
    if !packages.is_empty() {
        apt_install(packages)?;
        done.push(format!("installed {} (apt-get)", packages.join(", ")));
    }
    let mut lock_files = Vec::new();
    if options.runs_rust() {
        lock_files.push("tests/oidc");
    }
    if options.runs(Part::Browser) {
        lock_files.push("tests/browser");
    }
    if options.runs(Part::Interop) {
        lock_files.push("tests/interop");
    }
    for folder in lock_files {
        if npm_ci(&root().join(folder), options.install)? {
            done.push(format!("installed {folder}'s npm packages (npm ci)"));
        }
    }
    if options.runs(Part::Contract) && pip_install_schemathesis(options.install)? {
        done.push("installed schemathesis (pip)".to_string());
    }
    Ok(done)
}

/// The programs missing for the chosen parts, each with its package.
fn missing_packages(options: &Options) -> Vec<(&'static str, &'static str)> {
    let mut missing = Vec::new();
    if options.runs_rust() {
        missing.extend(
            PDF_TOOLS
                .iter()
                .filter(|tool| !on_path(tool.program))
                .map(|tool| (tool.program, tool.package)),
        );
    }
    if options.runs(Part::Browser) && !chromium_present() {
        missing.push(("chromium", "chromium"));
    }
    missing
}

fn debian_packages(missing: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    let mut packages = missing.iter().map(|(_, package)| *package).collect::<Vec<_>>();
    packages.dedup();
    packages
}

/// The browser tests use `$CHROMIUM`, else Debian's `/usr/bin/chromium`.
fn chromium_present() -> bool {
    match std::env::var_os("CHROMIUM") {
        Some(path) => Path::new(&path).is_file(),
        None => Path::new("/usr/bin/chromium").is_file(),
    }
}

fn require_node(options: &Options) -> Result {
    let needs_node = options.runs_rust() || options.runs(Part::Browser) || options.runs(Part::Interop);
    if needs_node && !on_path("node") {
        return Err(
            "the test identity provider and the browser tests run on Node.js 20 or later, \
                    which is not on the PATH: install it (with npm), then run the tests again"
                .to_string(),
        );
    }
    Ok(())
}

fn apt_install(packages: &[&str]) -> Result {
    let quiet =
        |command: &mut Command| -> Result { capture(command.env("DEBIAN_FRONTEND", "noninteractive")).map(drop) };
    quiet(Command::new("apt-get").args(["update", "-qq"]))?;
    quiet(Command::new("apt-get").args(["install", "-y", "-qq"]).args(packages))
}

/// `npm ci` in `folder` unless its `node_modules` was installed from the same lock file; the
/// copy of the lock file left in `node_modules` records what was installed. Returns whether it
/// installed.
fn npm_ci(folder: &Path, install: bool) -> Result<bool> {
    let lock = folder.join("package-lock.json");
    let stamp = folder.join("node_modules").join(".installed-package-lock.json");
    let wanted = fs::read(&lock).map_err(|err| format!("{}: {err}", lock.display()))?;
    if fs::read(&stamp).is_ok_and(|installed| installed == wanted) {
        return Ok(false);
    }
    if !install {
        return Err(format!(
            "{} needs its npm packages: run `npm ci` there",
            folder.display()
        ));
    }
    capture(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(folder),
    )?;
    fs::write(&stamp, wanted).map_err(|err| format!("{}: {err}", stamp.display()))?;
    Ok(true)
}

/// Installs the schemathesis that `tests/contract/requirements.txt` pins, unless it is there.
fn pip_install_schemathesis(install: bool) -> Result<bool> {
    let requirements = root().join("tests/contract/requirements.txt");
    let pinned = fs::read_to_string(&requirements)
        .map_err(|err| format!("{}: {err}", requirements.display()))?
        .lines()
        .find_map(|line| line.trim().strip_prefix("schemathesis==").map(str::to_string))
        .ok_or("tests/contract/requirements.txt pins no schemathesis")?;
    let installed = capture(Command::new("schemathesis").arg("--version")).unwrap_or_default();
    if installed.split_whitespace().any(|word| word == pinned) {
        return Ok(false);
    }
    let mut pip = Command::new("python3");
    pip.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .env("PIP_ROOT_USER_ACTION", "ignore");
    if !install {
        return Err(format!(
            "the contract tests need schemathesis {pinned}: run `{}`",
            describe(&pip)
        ));
    }
    capture(&mut pip)?;
    Ok(true)
}

/// The PostgreSQL server the Rust tests run on, started if it is installed and down. `None`
/// when PostgreSQL is not installed and the part was not named (it is then skipped).
pub fn postgres_url(options: &Options) -> Result<Option<String>> {
    if !options.runs(Part::Postgres) {
        return Ok(None);
    }
    let url = std::env::var("CERTIFY_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_string());
    if !on_path("pg_isready") {
        return if options.named {
            Err("the PostgreSQL tests need PostgreSQL: `sudo apt-get install -y postgresql`".to_string())
        } else {
            Ok(None)
        };
    }
    if !is_ready(&url) {
        start_local_cluster()?;
    }
    if (0..60).any(|_| is_ready(&url) || pause()) {
        Ok(Some(url))
    } else {
        Err(format!("PostgreSQL does not answer at {url}"))
    }
}

fn is_ready(url: &str) -> bool {
    Command::new("pg_isready")
        .args(["--quiet", "--dbname", url])
        .status()
        .is_ok_and(|status| status.success())
}

fn pause() -> bool {
    thread::sleep(Duration::from_millis(500));
    false
}

/// Starts the newest Debian cluster (`pg_ctlcluster`), as the machines here run it.
fn start_local_cluster() -> Result {
    if !on_path("pg_ctlcluster") {
        return Ok(());
    }
    let newest = fs::read_dir("/etc/postgresql")
        .map_err(|err| format!("PostgreSQL is down and /etc/postgresql is unreadable: {err}"))?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .max()
        .ok_or("PostgreSQL is down and /etc/postgresql holds no cluster")?;
    println!("setup: starting PostgreSQL {newest}");
    capture(Command::new("pg_ctlcluster").args(["--skip-systemctl-redirect", &newest.to_string(), "main", "start"]))
        .map(drop)
}
