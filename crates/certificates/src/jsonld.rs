//! Our documents as JSON-LD: their RDF dataset, read with only the pinned contexts
//! (`assets/contexts/`, nothing is ever fetched), the check that every term in them is defined
//! (JSON-LD "safe mode", which 1EdTech requires of an Open Badge), and the dataset's RDF Dataset
//! Canonicalization 1.0 form that the `eddsa-rdfc-2022` cryptosuite signs.
//!
//! oxjsonld drops a term no context defines instead of failing; such a term would sit in the
//! document outside anything signed over its RDF. So the dataset is read with one more context
//! appended, `{"@vocab": UNDEFINED_TERM}`: a defined term is unaffected (the contexts we pin
//! never set `@vocab`), an undefined one becomes an IRI under [`UNDEFINED_TERM`] and is refused.

use std::collections::BTreeSet;

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Dataset, Quad, Term};
use serde_json::Value;

/// The contexts our documents may name, by URL, as published.
const PINNED: [(&str, &str); 5] = [
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("../../../assets/contexts/credentials-v2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        include_str!("../../../assets/contexts/ob-v3p0-context-3.0.3.jsonld"),
    ),
    (
        "https://www.w3.org/ns/cid/v1",
        include_str!("../../../assets/contexts/cid-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        include_str!("../../../assets/contexts/multikey-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../../../assets/contexts/data-integrity-v2.jsonld"),
    ),
];

/// Where a term no context defines lands (see the module's documentation).
pub const UNDEFINED_TERM: &str = "urn:certify:undefined-term#";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonLdError {
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("the document is not valid JSON-LD: {0}")]
    Invalid(String),
    #[error("no context defines {}", .0.iter().cloned().collect::<Vec<_>>().join(", "))]
    UndefinedTerms(BTreeSet<String>),
}

/// `document`'s RDF dataset, refused when a term is undefined or a context is not one we pin;
/// `extra` contexts (URL, body) are available to the loader beside the pinned ones.
pub fn dataset(document: &Value, extra: &[(&str, &str)]) -> Result<Dataset, JsonLdError> {
    refuse_what_the_guard_cannot_see(document)?;
    let quads = quads(&with_guard_context(document)?, extra)?;
    let undefined: BTreeSet<String> = quads
        .iter()
        .flat_map(|quad| {
            [
                Term::from(quad.subject.clone()),
                quad.predicate.clone().into(),
                quad.object.clone(),
            ]
        })
        .filter_map(|term| match term {
            Term::NamedNode(node) => node.as_str().strip_prefix(UNDEFINED_TERM).map(str::to_owned),
            _ => None,
        })
        .collect();
    if !undefined.is_empty() {
        return Err(JsonLdError::UndefinedTerms(undefined));
    }
    // With no term undefined the guard changed nothing: these are the document's own quads.
    Ok(quads.into_iter().collect())
}

/// `document`'s canonical N-Quads (RDF Dataset Canonicalization 1.0 with SHA-256), refused as
/// [`dataset`] refuses.
pub fn canonical_nquads(document: &Value, extra: &[(&str, &str)]) -> Result<String, JsonLdError> {
    Ok(canonical(dataset(document, extra)?))
}

/// One line per quad, blank nodes relabelled `c14n0`, `c14n1`…, lines in code point order.
/// (Our names and titles hold no control characters, where N-Quads writers differ.)
fn canonical(mut dataset: Dataset) -> String {
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|quad| format!("{quad} .\n")).collect();
    lines.sort_unstable();
    lines.concat()
}

/// The quads of `document` as written, contexts from [`PINNED`] and `extra` only.
fn quads(document: &Value, extra: &[(&str, &str)]) -> Result<Vec<Quad>, JsonLdError> {
    let bytes = serde_json::to_vec(document).map_err(|err| JsonLdError::Invalid(err.to_string()))?;
    let extra: Vec<(String, String)> = extra.iter().map(|(u, b)| ((*u).to_owned(), (*b).to_owned())).collect();
    JsonLdParser::new()
        .for_slice(&bytes)
        .with_load_document_callback(move |url, _| load(url, &extra))
        .collect::<Result<Vec<Quad>, _>>()
        .map_err(|err| JsonLdError::Invalid(err.to_string()))
}

/// The JSON-LD keywords a document may use as keys.
const KEYWORDS: [&str; 21] = [
    "@base",
    "@container",
    "@context",
    "@direction",
    "@graph",
    "@id",
    "@import",
    "@included",
    "@index",
    "@json",
    "@language",
    "@list",
    "@nest",
    "@none",
    "@prefix",
    "@propagate",
    "@protected",
    "@reverse",
    "@set",
    "@type",
    "@value",
];

/// What would slip past the trailing `@vocab` guard: a context set deeper in the document (which
/// could reset the vocabulary, `"@vocab": null`, for what it holds) and keys shaped like a
/// keyword that is not one (dropped without a word). Only the document itself and its proofs
/// (`proof`, or each member of a proof set) may carry a context.
fn refuse_what_the_guard_cannot_see(document: &Value) -> Result<(), JsonLdError> {
    fn walk(value: &Value, may_hold_context: bool) -> Result<(), JsonLdError> {
        match value {
            Value::Object(object) => {
                for (key, member) in object {
                    if key == "@context" && !may_hold_context {
                        return Err(JsonLdError::Invalid("a context set inside the document".to_owned()));
                    }
                    refuse_unknown_keyword(key)?;
                    if key != "@context" {
                        walk(member, false)?;
                    }
                }
                Ok(())
            }
            Value::Array(items) => items.iter().try_for_each(|item| walk(item, false)),
            _ => Ok(()),
        }
    }
    let object = document.as_object().ok_or(JsonLdError::NotAnObject)?;
    for (key, member) in object {
        refuse_unknown_keyword(key)?;
        match (key.as_str(), member) {
            ("@context", _) => {}
            ("proof", Value::Array(proofs)) => proofs.iter().try_for_each(|proof| walk(proof, true))?,
            ("proof", proof) => walk(proof, true)?,
            (_, member) => walk(member, false)?,
        }
    }
    Ok(())
}

/// A key shaped like a keyword that is not one, which JSON-LD drops without a word.
fn refuse_unknown_keyword(key: &str) -> Result<(), JsonLdError> {
    if key.starts_with('@') && !KEYWORDS.contains(&key) {
        return Err(JsonLdError::Invalid(format!("{key} is not a JSON-LD keyword")));
    }
    Ok(())
}

/// The document with [`UNDEFINED_TERM`] as the vocabulary of a last, appended context.
fn with_guard_context(document: &Value) -> Result<Value, JsonLdError> {
    let mut guarded = document.clone();
    let object = guarded.as_object_mut().ok_or(JsonLdError::NotAnObject)?;
    let mut contexts = match object.remove("@context") {
        Some(Value::Array(contexts)) => contexts,
        Some(context) => vec![context],
        None => Vec::new(),
    };
    contexts.push(serde_json::json!({ "@vocab": UNDEFINED_TERM }));
    object.insert("@context".to_owned(), Value::Array(contexts));
    Ok(guarded)
}

fn load(
    url: &str,
    extra: &[(String, String)],
) -> Result<JsonLdRemoteDocument, Box<dyn std::error::Error + Send + Sync>> {
    let body = PINNED
        .iter()
        .find(|(pinned, _)| *pinned == url)
        .map(|(_, body)| (*body).to_owned())
        .or_else(|| {
            extra
                .iter()
                .find(|(pinned, _)| pinned == url)
                .map(|(_, body)| body.clone())
        })
        .ok_or_else(|| format!("the context {url} is not one Certify knows; nothing is fetched"))?;
    Ok(JsonLdRemoteDocument {
        document: body.into_bytes(),
        document_url: url.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_term_no_context_defines_is_refused_by_name() {
        let document = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "https://certify.example/issuer",
            "credentialSubject": {"id": "urn:uuid:0190a4c2-0000-7000-8000-000000000000", "favouriteColour": "green"},
            "validFrom": "2026-01-01T00:00:00Z"
        });
        match dataset(&document, &[]) {
            Err(JsonLdError::UndefinedTerms(terms)) => {
                assert_eq!(terms.into_iter().collect::<Vec<_>>(), ["favouriteColour"]);
            }
            other => panic!("{other:?}"),
        }
    }

    const EXAMPLES: (&str, &str) = (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("../testdata/vc-di-eddsa/credentials-examples-v2.jsonld"),
    );

    fn vector(name: &str) -> Value {
        let text = match name {
            "unsigned" => include_str!("../testdata/vc-di-eddsa/unsigned.json"),
            "proofConfig" => include_str!("../testdata/vc-di-eddsa/proofConfigDataInt.json"),
            other => panic!("no vector {other}"),
        };
        serde_json::from_str(text).expect("a vector is JSON")
    }

    /// The W3C eddsa-rdfc-2022 vector's canonical document and proof configuration, byte for
    /// byte. (Its examples context sets `@vocab`, so it is read without the undefined-term guard,
    /// which would take that vocabulary over.)
    #[test]
    fn canonical_forms_match_the_w3c_vector() {
        let document = canonical(
            quads(&vector("unsigned"), &[EXAMPLES])
                .expect("quads")
                .into_iter()
                .collect(),
        );
        assert_eq!(document, include_str!("../testdata/vc-di-eddsa/canonDocDataInt.txt"));
        let proof = canonical(
            quads(&vector("proofConfig"), &[EXAMPLES])
                .expect("quads")
                .into_iter()
                .collect(),
        );
        assert_eq!(proof, include_str!("../testdata/vc-di-eddsa/proofCanonDataInt.txt"));
    }

    /// A nested context resetting the vocabulary, or a key shaped like a keyword, would hide a
    /// term from the guard: both are refused.
    #[test]
    fn what_would_slip_past_the_guard_is_refused() {
        let base = || {
            json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": "https://certify.example/issuer",
                "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {"id": "urn:uuid:0190a4c2-0000-7000-8000-000000000000"}
            })
        };
        assert!(dataset(&base(), &[]).is_ok());
        let mut reset = base();
        reset["credentialSubject"]["@context"] = json!({"@vocab": null});
        reset["credentialSubject"]["favouriteColour"] = json!("green");
        assert!(matches!(dataset(&reset, &[]), Err(JsonLdError::Invalid(_))), "{reset}");
        let mut keyword_shaped = base();
        keyword_shaped["credentialSubject"]["@colour"] = json!("green");
        assert!(matches!(dataset(&keyword_shaped, &[]), Err(JsonLdError::Invalid(_))));
    }

    #[test]
    fn a_context_we_do_not_pin_is_never_fetched() {
        let document = json!({"@context": "https://evil.example/context.jsonld", "name": "x"});
        assert!(matches!(dataset(&document, &[]), Err(JsonLdError::Invalid(_))));
    }
}
