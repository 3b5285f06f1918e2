//! What `cargo metadata` says of the workspace.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::Result;
use crate::command::{capture, root};

pub struct Workspace {
    pub target_dir: PathBuf,
    pub members: Vec<Member>,
}

pub struct Member {
    pub name: String,
    /// Whether the package builds an executable (the server, or this program).
    pub has_binary: bool,
}

impl Workspace {
    pub fn read() -> Result<Workspace> {
        let printed = capture(cargo().args(["metadata", "--format-version", "1", "--no-deps"]))?;
        let metadata: Value = serde_json::from_str(&printed).map_err(|err| format!("cargo metadata: {err}"))?;
        let target_dir = metadata["target_directory"]
            .as_str()
            .ok_or("cargo metadata names no target directory")?;
        let members = metadata["packages"]
            .as_array()
            .ok_or("cargo metadata lists no packages")?
            .iter()
            .map(Member::from_metadata)
            .collect::<Result<Vec<_>>>()?;
        Ok(Workspace {
            target_dir: PathBuf::from(target_dir),
            members,
        })
    }

    /// The server executable that the Rust tests build.
    pub fn certify_binary(&self) -> PathBuf {
        self.target_dir.join("debug").join("certify")
    }
}

impl Member {
    fn from_metadata(package: &Value) -> Result<Member> {
        let name = package["name"].as_str().ok_or("a package without a name")?.to_string();
        let has_binary = package["targets"].as_array().is_some_and(|targets| {
            targets.iter().any(|target| {
                target["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
            })
        });
        Ok(Member { name, has_binary })
    }
}

/// A command of the cargo that runs this program (`cargo xtask` sets `CARGO`), in the root, with
/// the environment `cargo run` gave this program taken away again: build scripts such as ring's
/// declare `rerun-if-env-changed=CARGO_PKG_NAME`, so a nested cargo that saw `xtask` there would
/// rebuild them and everything above them.
pub fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if is_set_by_cargo_run(&name) {
            cargo.env_remove(name.as_ref());
        }
    }
    cargo.current_dir(root());
    cargo
}

fn is_set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || matches!(name, "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE")
}
