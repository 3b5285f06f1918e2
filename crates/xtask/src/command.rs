//! Running other programs, with errors that name them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::Result;

/// The workspace's root folder, whatever the current directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask sits two folders below the root")
        .to_path_buf()
}

/// Whether `program` is an executable file on the `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Runs `command` with the terminal as its output; fails unless it exits 0.
pub fn run(command: &mut Command) -> Result {
    let status = command
        .status()
        .map_err(|err| format!("cannot start {}: {err}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

/// Runs `command` and returns what it printed; on failure the error carries that output.
pub fn capture(command: &mut Command) -> Result<String> {
    let Output { status, stdout, stderr } = command
        .output()
        .map_err(|err| format!("cannot start {}: {err}", describe(command)))?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    if status.success() {
        Ok(printed)
    } else {
        Err(format!("{} failed ({status}):\n{printed}", describe(command)))
    }
}

/// Whether this process runs as root, who may install Debian packages.
pub fn is_root() -> bool {
    capture(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// The command line, as a person would type it.
pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
