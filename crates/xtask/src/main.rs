//! The project's own tasks, run as `cargo xtask <task>` (the alias is in `.cargo/config.toml`):
//!
//! - `test`: installs what the tests need, then runs every suite and ends with one summary line;
//! - `setup`: only the installing part of `test`;
//! - `invariants`: the dependency rules that ARCHITECTURE.md states, checked on `cargo metadata`.
//!
//! A plain program on the standard library (and serde_json to read `cargo metadata`), so that it
//! builds in seconds and needs nothing a fresh machine lacks.

mod command;
mod invariants;
mod options;
mod setup;
mod suites;
mod workspace;

use std::process::ExitCode;

use options::Options;

/// What a task that stops says: one message for the person at the terminal.
type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((task, rest)) if task == "test" => Options::parse(rest).and_then(|options| suites::test(&options)),
        Some((task, rest)) if task == "setup" => Options::parse(rest).and_then(|options| setup::prepare(&options)),
        Some((task, [])) if task == "invariants" => invariants::check(),
        Some((flag, _)) if flag == "--help" || flag == "-h" || flag == "help" => {
            println!("{}", options::USAGE);
            Ok(())
        }
        _ => Err(format!("unknown task\n\n{}", options::USAGE)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
