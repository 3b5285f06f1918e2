//! `cargo xtask test`: one build, then each suite, then one summary.
//!
//! The Rust tests build once (`cargo test --no-run`, which also builds the `certify` executable
//! that the contract and browser tests start) while the set-up installs what is missing. The
//! contract run, the longest, runs beside the PostgreSQL and browser suites (which mostly wait on
//! a server), with its output kept in a log that is printed when it ends.

use std::fs::{self, File};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::command::{describe, root, run};
use crate::options::{Options, Part};
use crate::setup::{self, Installing};
use crate::workspace::{Workspace, cargo};

/// How a suite ended.
struct Outcome {
    part: Part,
    passed: u32,
    failed: u32,
    /// Why the suite did not run, when it did not.
    skipped: Option<String>,
    /// The runner's own verdict (a suite can fail without a failed test, e.g. if it crashed).
    succeeded: bool,
    took: Duration,
}

pub fn test(options: &Options) -> Result {
    let started = Instant::now();
    let installing = Installing::start(options)?;
    let postgres = setup::postgres_url(options)?;
    heading("building the tests and the server (cargo test --no-run)");
    let built = run(cargo().args(["test", "--workspace", "--no-run"]));
    installing.finish()?;
    built?;
    let binary = Workspace::read()?.certify_binary();

    let mut outcomes = Vec::new();
    if options.runs(Part::Sqlite) {
        outcomes.push(rust_tests(Part::Sqlite, None)?);
    }
    // After the SQLite suite, not beside it: both keep the processor busy, and the SQLite
    // suite's test of three instances starting on one file is the one most sensitive to that.
    let contract = options
        .runs(Part::Contract)
        .then(|| Contract::start(&binary))
        .transpose()?;
    if options.runs(Part::Postgres) {
        outcomes.push(match &postgres {
            Some(url) => rust_tests(Part::Postgres, Some(url))?,
            None => skipped(
                Part::Postgres,
                "PostgreSQL is not installed (sudo apt-get install -y postgresql)",
            ),
        });
    }
    if options.runs(Part::Browser) {
        outcomes.push(node_tests(Part::Browser, "the pages in a real browser", &binary)?);
    }
    if options.runs(Part::Interop) {
        outcomes.push(node_tests(
            Part::Interop,
            "the credentials checked by an independent verifier",
            &binary,
        )?);
    }
    if let Some(contract) = contract {
        outcomes.push(contract.finish()?);
    }
    summarise(&outcomes, started.elapsed())
}

fn heading(text: &str) {
    println!("\n==> {text}");
}

/// `cargo test --workspace` on SQLite, or on the PostgreSQL server at `postgres_url`.
fn rust_tests(part: Part, postgres_url: Option<&str>) -> Result<Outcome> {
    heading(&format!(
        "the Rust tests on {}",
        if postgres_url.is_some() { "PostgreSQL" } else { "SQLite" }
    ));
    let mut cargo_test = cargo();
    cargo_test.args(["test", "--workspace", "--no-fail-fast"]);
    match postgres_url {
        Some(url) => {
            // Each test creates and drops a database of its own: waiting on the server rather
            // than the processor, so more run at once than there are cores.
            cargo_test
                .env("CERTIFY_TEST_POSTGRES_URL", url)
                .args(["--", "--test-threads", "8"]);
        }
        None => {
            cargo_test.env_remove("CERTIFY_TEST_POSTGRES_URL");
        }
    }
    counted(part, &mut cargo_test, cargo_counts)
}

/// A Node suite (`tests/<part>`: the pages in Chromium, the independent verifier), against the
/// executable just built.
fn node_tests(part: Part, what: &str, binary: &Path) -> Result<Outcome> {
    let folder = format!("tests/{}", part.name());
    heading(&format!("{what} ({folder})"));
    let mut npm_test = Command::new("npm");
    npm_test
        .args(["test"])
        .env("CERTIFY_BIN", binary)
        .current_dir(root().join(folder));
    counted(part, &mut npm_test, tap_counts)
}

/// Runs `command` with its output on the terminal, counting the tests its lines report.
fn counted(part: Part, command: &mut Command, counts: fn(&str) -> Option<(u32, u32)>) -> Result<Outcome> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", describe(command)))?;
    let (mut passed, mut failed) = (0, 0);
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(std::io::Result::ok) {
            println!("{line}");
            if let Some((more_passed, more_failed)) = counts(&line) {
                passed += more_passed;
                failed += more_failed;
            }
        }
    }
    let status = child.wait().map_err(|err| format!("{}: {err}", describe(command)))?;
    Ok(Outcome {
        part,
        passed,
        failed,
        skipped: None,
        succeeded: status.success(),
        took: started.elapsed(),
    })
}

fn skipped(part: Part, why: &str) -> Outcome {
    Outcome {
        part,
        passed: 0,
        failed: 0,
        skipped: Some(why.to_string()),
        succeeded: true,
        took: Duration::ZERO,
    }
}

/// The contract tests, running in the background with their output in a log.
struct Contract {
    child: Child,
    log: PathBuf,
    started: Instant,
}

impl Contract {
    fn start(binary: &Path) -> Result<Contract> {
        let log = binary.with_file_name("contract-tests.log");
        let file = File::create(&log).map_err(|err| format!("{}: {err}", log.display()))?;
        let copy = file.try_clone().map_err(|err| format!("{}: {err}", log.display()))?;
        let child = Command::new(root().join("tests/contract/schemathesis.sh"))
            .arg(binary)
            .stdout(copy)
            .stderr(file)
            .current_dir(root())
            .spawn()
            .map_err(|err| format!("cannot start tests/contract/schemathesis.sh: {err}"))?;
        println!("\n(the contract tests run in the background; their output follows the other suites')");
        Ok(Contract {
            child,
            log,
            started: Instant::now(),
        })
    }

    fn finish(mut self) -> Result<Outcome> {
        let status = self
            .child
            .wait()
            .map_err(|err| format!("tests/contract/schemathesis.sh: {err}"))?;
        heading("the API against its OpenAPI document (tests/contract, schemathesis)");
        let printed = fs::read_to_string(&self.log).map_err(|err| format!("{}: {err}", self.log.display()))?;
        print!("{printed}");
        let (passed, failed) = printed
            .lines()
            .filter_map(contract_counts)
            .fold((0, 0), |(p, f), (q, g)| (p + q, f + g));
        Ok(Outcome {
            part: Part::Contract,
            passed,
            failed,
            skipped: None,
            succeeded: status.success(),
            took: self.started.elapsed(),
        })
    }
}

/// Prints one line per suite and the closing count; fails if any suite did.
fn summarise(outcomes: &[Outcome], took: Duration) -> Result {
    heading("summary");
    for outcome in outcomes {
        let result = match &outcome.skipped {
            Some(why) => format!("skipped: {why}"),
            None if !outcome.succeeded && outcome.failed == 0 => "FAILED (see its output above)".to_string(),
            None => format!("{} passed, {} failed", outcome.passed, outcome.failed),
        };
        println!(
            "{:<10} {result:<40} {:>5} s",
            outcome.part.name(),
            outcome.took.as_secs()
        );
    }
    let passed: u32 = outcomes.iter().map(|outcome| outcome.passed).sum();
    let failed: u32 = outcomes
        .iter()
        .map(|outcome| outcome.failed.max(u32::from(!outcome.succeeded)))
        .sum();
    println!("(all in {} min {} s)", took.as_secs() / 60, took.as_secs() % 60);
    println!("tests: {passed} passed, {failed} failed");
    if outcomes.iter().all(|outcome| outcome.succeeded) {
        Ok(())
    } else {
        let failing = outcomes
            .iter()
            .filter(|outcome| !outcome.succeeded)
            .map(|outcome| outcome.part.name());
        Err(format!("failed: {}", failing.collect::<Vec<_>>().join(", ")))
    }
}

/// `test result: ok. 173 passed; 0 failed; …`, cargo's line per test binary.
fn cargo_counts(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u32> {
        let words = rest
            .split([' ', ';', '.'])
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>();
        let at = words.iter().position(|w| *w == word)?;
        words.get(at.checked_sub(1)?)?.parse().ok()
    };
    Some((number_before("passed")?, number_before("failed")?))
}

/// node's TAP totals: `# pass 22` and `# fail 0`.
fn tap_counts(line: &str) -> Option<(u32, u32)> {
    if let Some(passed) = line.strip_prefix("# pass ") {
        return Some((passed.trim().parse().ok()?, 0));
    }
    Some((0, line.strip_prefix("# fail ")?.trim().parse().ok()?))
}

/// The contract script's closing line: `contract: 4 passed, 0 failed` (one per caller).
fn contract_counts(line: &str) -> Option<(u32, u32)> {
    let (passed, failed) = line.strip_prefix("contract: ")?.split_once(" passed, ")?;
    Some((passed.parse().ok()?, failed.strip_suffix(" failed")?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_result_lines_are_counted() {
        let line =
            "test result: FAILED. 171 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 21.13s";
        assert_eq!(cargo_counts(line), Some((171, 2)));
        assert_eq!(cargo_counts("test a_test_named_test_result ... ok"), None);
    }

    #[test]
    fn tap_totals_are_counted() {
        assert_eq!(tap_counts("# pass 22"), Some((22, 0)));
        assert_eq!(tap_counts("# fail 1"), Some((0, 1)));
        assert_eq!(tap_counts("# skipped 0"), None);
    }

    #[test]
    fn the_contract_closing_line_is_counted() {
        assert_eq!(contract_counts("contract: 3 passed, 1 failed"), Some((3, 1)));
        assert_eq!(contract_counts("     ✅ 13 passed  ⏭  85 skipped"), None);
    }
}
