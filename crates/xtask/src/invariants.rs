//! The dependency rule of ARCHITECTURE.md: no domain crate serves HTTP, documents OpenAPI or
//! renders templates. The crates checked come from `cargo metadata` — every member except the
//! edges and the executables — so a new domain crate is checked the day it is added.

use crate::Result;
use crate::command::capture;
use crate::workspace::{Workspace, cargo};

/// The crates that speak the wire. Everything else without an executable is a domain crate.
const EDGES: [&str; 2] = ["certify-api", "certify-web"];

pub fn check() -> Result {
    let workspace = Workspace::read()?;
    let domain = workspace
        .members
        .iter()
        .filter(|member| !member.has_binary && !EDGES.contains(&member.name.as_str()))
        .map(|member| member.name.as_str())
        .collect::<Vec<_>>();
    let mut broken = Vec::new();
    for name in &domain {
        let tree = capture(cargo().args([
            "tree",
            "--package",
            name,
            "--edges",
            "normal,features",
            "--prefix",
            "none",
        ]))?;
        broken.extend(
            forbidden_in(&tree)
                .into_iter()
                .map(|found| format!("{name} depends on {found}")),
        );
    }
    if broken.is_empty() {
        println!(
            "{} domain crates ({}) serve no HTTP and know neither OpenAPI nor templates",
            domain.len(),
            domain.join(", ")
        );
        Ok(())
    } else {
        broken.sort();
        broken.dedup();
        Err(format!(
            "the edges alone speak the wire (ARCHITECTURE.md, Invariants):\n  {}",
            broken.join("\n  ")
        ))
    }
}

/// What a domain crate's dependency tree (`cargo tree -e normal,features --prefix none`) must not
/// hold: axum and its parts, utoipa's crates, askama's crates, and hyper's server. An outbound
/// HTTP client is domain work (certify-sso asks identity providers through openidconnect, whose
/// reqwest brings hyper's client and tower-http's redirect policy), so those are allowed.
fn forbidden_in(tree: &str) -> Vec<&str> {
    tree.lines()
        .map(str::trim)
        .filter(|line| {
            let name = line.split(' ').next().unwrap_or_default();
            let is_crate = line.split(' ').nth(1).is_some_and(|version| version.starts_with('v'));
            (is_crate && is_wire_crate(name)) || line.starts_with("hyper feature \"server\"")
        })
        .collect()
}

fn is_wire_crate(name: &str) -> bool {
    matches!(name, "axum" | "axum-core" | "axum-extra") || name.starts_with("utoipa") || name.starts_with("askama")
}

#[cfg(test)]
mod tests {
    use super::forbidden_in;

    #[test]
    fn an_http_client_passes_and_a_server_does_not() {
        let client = "reqwest v0.12.28\nhyper v1.12.0\nhyper feature \"client\"\ntower-http v0.6.11\n";
        assert!(forbidden_in(client).is_empty());
        let server = "hyper v1.12.0\nhyper feature \"server\"\naxum-core v0.5.0\nutoipa-gen v6.0.1 (proc-macro)\n";
        assert_eq!(
            forbidden_in(server),
            [
                "hyper feature \"server\"",
                "axum-core v0.5.0",
                "utoipa-gen v6.0.1 (proc-macro)"
            ]
        );
    }

    #[test]
    fn a_feature_line_of_an_allowed_crate_is_no_crate() {
        assert!(forbidden_in("serde feature \"askama\"\naskamalike-name\n").is_empty());
    }
}
