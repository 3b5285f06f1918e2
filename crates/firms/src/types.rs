use std::fmt;

use sea_orm::entity::prelude::*;

/// The four kinds of partner in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
pub enum FirmKind {
    ConsultingFirm,
    SystemsIntegrator,
    TechnologyProvider,
    DeploymentSpecialist,
}

/// An ISO 3166-1 alpha-2 country code, uppercase (`DE`, `IN`, `US`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a country code; use two letters, such as DE", certify_core::text::quoted(.0))]
pub struct InvalidCountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidCountryCode> {
        let upper = raw.trim().to_ascii_uppercase();
        if upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(upper))
        } else {
            Err(InvalidCountryCode(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A firm's public web site: an absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(url::Url);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a web address; give one such as https://northwind.example", certify_core::text::quoted(.0))]
pub struct InvalidWebsite(String);

impl Website {
    pub fn parse(raw: &str) -> Result<Self, InvalidWebsite> {
        match url::Url::parse(raw.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() && raw.len() <= 2048 => {
                Ok(Self(url))
            }
            _ => Err(InvalidWebsite(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes() {
        assert_eq!(CountryCode::parse(" de ").map(|c| c.to_string()), Ok("DE".into()));
        for bad in ["", "D", "DEU", "D1", "ÄB"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn websites() {
        assert!(Website::parse("https://northwind.example/").is_ok());
        for bad in [
            "northwind.example",
            "ftp://northwind.example",
            "javascript:alert(1)",
            "https://",
        ] {
            assert!(Website::parse(bad).is_err(), "{bad:?}");
        }
    }
}
