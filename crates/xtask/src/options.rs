//! The flags of `cargo xtask test` and `cargo xtask setup`.

use crate::Result;

pub const USAGE: &str = "\
usage: cargo xtask test [PART…] [--no-install]
       cargo xtask setup [PART…]
       cargo xtask invariants

`test` installs what is missing (Debian packages when run as root, npm packages from the lock
files, schemathesis), starts PostgreSQL if it is installed and down, then runs each part and ends
with one summary line. `setup` only installs. With no PART, every part:

  --sqlite      the Rust tests (unit and end-to-end) on SQLite
  --postgres    the same tests on PostgreSQL ($CERTIFY_TEST_POSTGRES_URL, default
                postgres://postgres@127.0.0.1:5432/postgres); skipped when PostgreSQL is not
                installed, unless named
  --contract    schemathesis against the OpenAPI document, as each kind of caller
  --browser     the pages in Chromium (playwright-core and axe)
  --interop     the credentials checked by an independent verifier (Digital Bazaar's, in Node)

(`--sqlite-only` and the like mean the same.) --no-install never installs: it names what is
missing and stops.";

/// One suite of the test command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Sqlite,
    Postgres,
    Contract,
    Browser,
    Interop,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Sqlite,
        Part::Postgres,
        Part::Contract,
        Part::Browser,
        Part::Interop,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::Sqlite => "sqlite",
            Part::Postgres => "postgres",
            Part::Contract => "contract",
            Part::Browser => "browser",
            Part::Interop => "interop",
        }
    }

    /// The Rust suites need the independent PDF and QR tools and the test OpenID provider.
    pub fn is_rust(self) -> bool {
        matches!(self, Part::Sqlite | Part::Postgres)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The parts to run, in the order they run.
    pub parts: Vec<Part>,
    /// Whether the parts were named on the command line (a named part is never skipped).
    pub named: bool,
    pub install: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut named = Vec::new();
        let mut install = true;
        for arg in args {
            match arg.as_str() {
                "--no-install" => install = false,
                flag => named.push(part_of(flag)?),
            }
        }
        let parts = Part::ALL
            .into_iter()
            .filter(|part| named.contains(part))
            .collect::<Vec<_>>();
        Ok(Options {
            named: !parts.is_empty(),
            parts: if parts.is_empty() { Part::ALL.to_vec() } else { parts },
            install,
        })
    }

    pub fn runs(&self, part: Part) -> bool {
        self.parts.contains(&part)
    }

    pub fn runs_rust(&self) -> bool {
        self.parts.iter().any(|part| part.is_rust())
    }
}

fn part_of(flag: &str) -> Result<Part> {
    let name = flag
        .strip_prefix("--")
        .map(|name| name.strip_suffix("-only").unwrap_or(name));
    Part::ALL
        .into_iter()
        .find(|part| Some(part.name()) == name)
        .ok_or_else(|| format!("unknown flag {flag:?}\n\n{USAGE}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options> {
        Options::parse(&args.iter().map(|arg| arg.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn no_part_named_runs_every_part() {
        let options = parse(&[]).expect("parses");
        assert_eq!(options.parts, Part::ALL.to_vec());
        assert!(!options.named);
        assert!(options.install);
    }

    #[test]
    fn named_parts_run_alone_in_the_usual_order() {
        let options = parse(&["--browser", "--sqlite-only", "--no-install"]).expect("parses");
        assert_eq!(options.parts, vec![Part::Sqlite, Part::Browser]);
        assert!(options.named);
        assert!(!options.install);
    }

    #[test]
    fn an_unknown_flag_is_refused_with_the_usage() {
        let error = parse(&["--sqlit"]).expect_err("refused");
        assert!(error.contains("unknown flag \"--sqlit\"") && error.contains("usage:"));
    }
}
