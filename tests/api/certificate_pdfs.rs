//! Certificate PDFs end to end: downloaded by the holder, identical on every download, readable by
//! independent tools (poppler, zbar), and verifiable from the file alone — by upload or offline.

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::certificates::pass;
use crate::exams::{exam_setup, json_of};
use crate::helpers::{TestApp, assert_problem, spawn_app};

async fn download(app: &TestApp, id: &str, token: &str) -> reqwest::Response {
    app.get(&format!("/api/v1/certificates/{id}/pdf"), Some(token)).await
}

async fn pdf_of(app: &TestApp, id: &str, token: &str) -> Vec<u8> {
    let response = download(app, id, token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|v| v.starts_with("attachment; filename=\"certificate-"))
    );
    response.bytes().await.expect("body").to_vec()
}

async fn upload(app: &TestApp, body: Vec<u8>, content_type: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/verify", app.address))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request sent")
}

/// Runs an independent tool; the tests rely on poppler-utils and zbar-tools (`cargo xtask setup`
/// installs them).
pub(crate) fn tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|err| {
        panic!("{program} is missing ({err}): `cargo xtask setup` installs it (Debian's poppler-utils, zbar-tools)")
    });
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[tokio::test]
async fn the_pdf_is_the_same_on_every_download_and_verifies_on_its_own() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let pdf = pdf_of(&app, id, &setup.candidate).await;
    assert!(pdf.starts_with(b"%PDF-"));
    app.clock.advance(time::Duration::hours(3));
    assert_eq!(
        pdf,
        pdf_of(&app, id, &setup.staff).await,
        "byte-identical later and for staff"
    );

    let verdict = json_of(upload(&app, pdf.clone(), "application/pdf").await).await;
    assert_eq!(verdict["status"], "valid", "{verdict}");
    assert_eq!(verdict["hash"], certificate["hash"]);
    assert_eq!(verdict["holder_name"], "Test Person");

    let stranger = app
        .token_for("stranger@example.com", certify_accounts::Role::Consultant)
        .await;
    assert_problem(download(&app, id, &stranger).await, StatusCode::NOT_FOUND, "not-found").await;
    assert_eq!(
        app.get(&format!("/api/v1/certificates/{id}/pdf"), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn independent_tools_read_the_page_the_attachment_and_the_qr_code() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let pdf = pdf_of(&app, id, &setup.candidate).await;
    let credential = json_of(
        app.get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
            .await,
    )
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).expect("written");

    let info = tool("pdfinfo", &[path(&file)]);
    assert!(info.contains("Page size:       841.89 x 595.276 pts (A4)"), "{info}");
    assert!(
        info.contains("Tagged:          yes"),
        "tagged for screen readers: {info}"
    );
    let custom = tool("pdfinfo", &["-custom", path(&file)]);
    assert!(!custom.contains("GTS_PDFX"), "not described as PDF/X: {custom}");
    let structure = tool("pdfinfo", &["-struct-text", path(&file)]);
    for expected in ["H1", "Certificate of Achievement", "Test Person", "Figure"] {
        assert!(
            structure.contains(expected),
            "`{expected}` in the structure:\n{structure}"
        );
    }
    let links = tool("pdfinfo", &["-url", path(&file)]);
    let verify_url = certificate["verify_url"].as_str().expect("verify url");
    assert_eq!(
        links.matches(verify_url).count(),
        2,
        "the printed address and the QR code link: {links}"
    );
    let fonts = tool("pdffonts", &[path(&file)]);
    let font = fonts.lines().nth(2).expect("one font");
    let (tag, rest) = font.split_once('+').expect("a subset tag");
    assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()), "{fonts}");
    assert!(rest.starts_with("DejaVuSans"), "{fonts}");
    let columns: Vec<&str> = font.split_whitespace().collect();
    assert_eq!(
        columns[columns.len() - 5..columns.len() - 2],
        ["yes", "yes", "yes"],
        "embedded, subset, unicode: {fonts}"
    );
    let text = tool("pdftotext", &["-layout", path(&file), "-"]);
    let hash = certificate["hash"].as_str().expect("hash");
    for expected in [
        "Test Person",
        "AI Deployment",
        "Issued 22 November 2026",
        "Valid until 22 November 2028",
        hash,
        certificate["credential_id"].as_str().expect("credential id"),
    ] {
        assert!(text.contains(expected), "`{expected}` is printed:\n{text}");
    }

    assert!(tool("pdfdetach", &["-list", path(&file)]).contains("1: credential.json"));
    let saved = dir.path().join("saved.json");
    tool("pdfdetach", &["-save", "1", "-o", path(&saved), path(&file)]);
    let attached: Value = serde_json::from_slice(&std::fs::read(&saved).expect("saved")).expect("json");
    assert_eq!(attached, credential);

    tool(
        "pdftoppm",
        &["-png", "-r", "150", path(&file), path(&dir.path().join("page"))],
    );
    let qr = tool("zbarimg", &["-q", "--raw", path(&dir.path().join("page-1.png"))]);
    assert_eq!(qr.trim(), certificate["verify_url"].as_str().expect("verify url"));
}

#[tokio::test]
async fn a_pdf_with_an_altered_credential_is_not_vouched_for() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let id = certificate["id"].as_str().expect("id");
    let mut credential = json_of(
        app.get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
            .await,
    )
    .await;
    credential["credentialSubject"]["identifier"][1]["identityHash"] = json!("Mallory Forger");
    let hash = certify_core::Sha256Hex::parse(certificate["hash"].as_str().expect("hash")).expect("hash");
    let forged = certify_certificates::pdf::render(&certify_certificates::pdf::CertificatePage {
        issuer_name: "AI Partner Network",
        holder_name: "Mallory Forger",
        achievement_name: "AI Deployment",
        issued_on: time::macros::date!(2026 - 11 - 22),
        expires_on: time::macros::date!(2099 - 11 - 22),
        credential_id: certificate["credential_id"].as_str().expect("credential id"),
        hash: &hash,
        verify_url: certificate["verify_url"].as_str().expect("verify url"),
        credential: &credential,
    })
    .expect("rendered");

    let verdict = json_of(upload(&app, forged, "application/pdf").await).await;
    assert_eq!(verdict["status"], "unknown", "{verdict}");
    let failed: Vec<&str> = verdict["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(failed, ["hash_known", "signature"]);
    assert!(verdict.get("holder_name").is_none(), "{verdict}");
}

#[tokio::test]
async fn uploads_that_are_not_certificates_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let pdf = pdf_of(&app, certificate["id"].as_str().expect("id"), &setup.candidate).await;

    let not_pdf = assert_problem(
        upload(&app, b"hello".to_vec(), "application/pdf").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable-document",
    )
    .await;
    assert!(
        not_pdf["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not a readable PDF"))
    );

    let truncated = assert_problem(
        upload(&app, pdf[..pdf.len() / 3].to_vec(), "application/pdf").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable-document",
    )
    .await;
    assert!(truncated["detail"].as_str().is_some_and(|d| !d.is_empty()));

    let mut plain = printpdf::PdfDocument::new("no attachment");
    plain.with_pages(vec![printpdf::PdfPage::new(
        printpdf::Mm(210.0),
        printpdf::Mm(297.0),
        Vec::new(),
    )]);
    let plain = plain.save(&printpdf::PdfSaveOptions::default(), &mut Vec::new());
    let no_attachment = assert_problem(
        upload(&app, plain, "application/pdf").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unreadable-document",
    )
    .await;
    assert!(
        no_attachment["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no `credential.json` attachment"))
    );

    assert_problem(
        upload(&app, pdf.clone(), "text/plain").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    )
    .await;
    let mut huge = pdf;
    huge.resize(certify_api::MAX_BODY_BYTES + 1, b' ');
    assert_problem(
        upload(&app, huge, "application/pdf").await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
    )
    .await;
}

#[tokio::test]
async fn a_certificate_is_found_by_its_credential_id() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let credential_id = certificate["credential_id"].as_str().expect("credential id");
    let by_id = |id: String| {
        let app = &app;
        async move {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("credential_id", &id)
                .finish();
            app.get(&format!("/api/v1/verify?{query}"), None).await
        }
    };

    let verdict = json_of(by_id(credential_id.to_owned()).await).await;
    assert_eq!(verdict["status"], "valid", "{verdict}");
    assert_eq!(verdict["hash"], certificate["hash"]);
    let bare = credential_id.trim_start_matches("urn:uuid:").to_owned();
    assert_eq!(json_of(by_id(bare).await).await["status"], "valid");

    let unknown = json_of(by_id("urn:uuid:00000000-0000-4000-8000-000000000000".into()).await).await;
    assert_eq!(unknown["status"], "unknown");
    assert_eq!(unknown["checks"][0]["name"], "credential_known");
    assert_eq!(unknown["checks"][0]["passed"], false);

    assert_problem(
        by_id("urn:uuid:nope".into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation-failed",
    )
    .await;
}

#[tokio::test]
async fn the_offline_verifier_reads_the_pdf_alone() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let pdf = pdf_of(&app, certificate["id"].as_str().expect("id"), &setup.candidate).await;
    let jwks = json_of(app.get("/.well-known/jwks.json", None).await).await;
    let dir = tempfile::tempdir().expect("dir");
    let (pdf_file, keys_file, text_file) = (
        dir.path().join("certificate.pdf"),
        dir.path().join("jwks.json"),
        dir.path().join("notes.txt"),
    );
    std::fs::write(&pdf_file, &pdf).expect("written");
    std::fs::write(&keys_file, jwks.to_string()).expect("written");
    std::fs::write(&text_file, "just some notes").expect("written");

    let run = |file: &Path| {
        let args = ["verify", path(file), "--keys", path(&keys_file)].map(str::to_owned);
        let binary = env!("CARGO_BIN_EXE_certify");
        tokio::task::spawn_blocking(move || Command::new(binary).args(args).output().expect("runs"))
    };
    let offline = run(&pdf_file).await.expect("joined");
    let stdout = String::from_utf8_lossy(&offline.stdout);
    assert!(offline.status.success(), "{stdout}");
    assert!(stdout.contains(certificate["hash"].as_str().expect("hash")), "{stdout}");

    let refused = run(&text_file).await.expect("joined");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("neither a certificate PDF nor a credential"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// A PDF whose one object stream inflates to `inflated` bytes and is listed `entries` times in
/// the cross-reference table: a kilobyte-sized upload that a loader without bounds inflates
/// `entries` times over.
fn decompression_bomb(inflated: usize, entries: usize) -> Vec<u8> {
    use std::io::Write as _;
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let mebibyte = vec![b' '; 1 << 20];
    for _ in 0..inflated >> 20 {
        zlib.write_all(&mebibyte).expect("deflated");
    }
    let deflated = zlib.finish().expect("deflated");
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let catalog = pdf.len();
    pdf.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    let pages = pdf.len();
    pdf.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    let stream = pdf.len();
    let header = format!(
        "3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
        deflated.len()
    );
    pdf.extend_from_slice(header.as_bytes());
    pdf.extend_from_slice(&deflated);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    let size = 3 + entries;
    let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n{catalog:010} 00000 n \n{pages:010} 00000 n \n");
    table.extend(std::iter::repeat_n(format!("{stream:010} 00000 n \n"), entries));
    table.push_str(&format!(
        "trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}

/// The most memory the process has held so far (its peak resident set), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM");
    kib * 1024
}

/// A PDF of a few kilobytes whose object streams inflate to hundreds of mebibytes is refused
/// with a problem, and the server's memory stays where it was: it keeps answering others.
#[tokio::test]
async fn a_decompression_bomb_is_refused_and_the_server_stays_small() {
    let database = crate::helpers::TestDatabase::create().await;
    let (mut server, printed) = crate::cli::spawn_demo(database.url(), std::process::Stdio::null());
    let base = crate::cli::address_in(&printed).expect("the server came up");
    let client = reqwest::Client::new();
    let verify = |body: Vec<u8>| {
        client
            .post(format!("{base}/api/v1/verify"))
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    let warm_up = verify(b"%PDF-1.7\nnot really".to_vec()).await.expect("answered");
    assert_eq!(warm_up.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let before = peak_memory(server.id());

    let one_big_stream = decompression_bomb(128 << 20, 1);
    let one_stream_listed_often = decompression_bomb(32 << 20, 16);
    assert!(one_big_stream.len() < 512 * 1024 && one_stream_listed_often.len() < 64 * 1024);
    for bomb in [one_big_stream, one_stream_listed_often] {
        let answer = verify(bomb).await.expect("answered");
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = answer.json().await.expect("a problem");
        assert_eq!(problem["type"], "/problems/unreadable-document", "{problem}");
    }
    let grown = peak_memory(server.id()).saturating_sub(before);
    let healthy = client.get(format!("{base}/healthz")).send().await.expect("answered");
    server.kill().expect("stopped");
    let _ = server.wait();

    assert!(healthy.status().is_success());
    assert!(grown < 32 << 20, "the server grew by {} MiB", grown >> 20);
}

/// The holder's PDF with one printed line rewritten, as a forger re-encodes a page: each line's
/// glyph codes are read against its text (poppler's `pdftotext -raw` gives the lines in the
/// content stream's order), the line printing `original` is re-encoded to print `replacement`
/// with the same font's glyphs, and the attached `credential.json` is left as it was.
pub(crate) fn forged(pdf: &[u8], original: &str, replacement: &str) -> Vec<u8> {
    use std::collections::HashMap;

    use lopdf::content::Content;
    use lopdf::{Object, StringFormat};
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("genuine.pdf");
    std::fs::write(&file, pdf).expect("written");
    let printed = tool("pdftotext", &["-raw", path(&file), "-"]);
    let mut document = lopdf::Document::load_mem(pdf).expect("our PDF");
    let page = *document.get_pages().values().next().expect("a page");
    let mut content = Content::decode(&document.get_page_content(page)).expect("the page's operations");
    let lines = content
        .operations
        .iter()
        .filter(|op| op.operator == "Tj")
        .zip(printed.lines())
        .filter_map(|(op, line)| match op.operands.first() {
            Some(Object::String(codes, _)) => Some((codes.chunks(2).map(<[u8]>::to_vec).collect::<Vec<_>>(), line)),
            _ => None,
        })
        .collect::<Vec<_>>();
    // Lines whose characters and glyphs pair one to one, then, knowing the space, the others word
    // by word: poppler prints a run of spaces as one.
    let mut glyphs: HashMap<char, Vec<u8>> = HashMap::new();
    for (codes, line) in &lines {
        if codes.len() == line.chars().count() {
            glyphs.extend(line.chars().zip(codes.iter().cloned()));
        }
    }
    let space = glyphs.get(&' ').cloned().expect("a space printed somewhere");
    for (codes, line) in &lines {
        let words = codes.split(|code| *code == space).filter(|word| !word.is_empty());
        for (codes, word) in words.zip(line.split_whitespace()) {
            if codes.len() == word.chars().count() {
                glyphs.extend(word.chars().zip(codes.iter().cloned()));
            }
        }
    }
    let at = lines
        .iter()
        .position(|(_, line)| *line == original)
        .unwrap_or_else(|| panic!("no line prints {original:?}:\n{printed}"));
    let encoded: Vec<u8> = replacement
        .chars()
        .flat_map(|c| {
            glyphs
                .get(&c)
                .unwrap_or_else(|| panic!("{c:?} is printed nowhere on the page"))
                .clone()
        })
        .collect();
    let target = content
        .operations
        .iter_mut()
        .filter(|op| op.operator == "Tj")
        .nth(at)
        .expect("the line's operation");
    target.operands = vec![Object::String(encoded, StringFormat::Hexadecimal)];
    document
        .change_page_content(page, content.encode().expect("encoded"))
        .expect("re-encoded");
    let mut forged = Vec::new();
    document.save_to(&mut forged).expect("saved");
    forged
}

/// A holder's PDF whose printed name, dates or title were changed is not "valid": the credential
/// inside is genuine, so the answer is `altered` and names what the genuine certificate says. The
/// offline verifier refuses it too.
#[tokio::test]
async fn a_pdf_whose_printed_page_was_changed_is_altered_and_names_the_genuine_holder() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let pdf = pdf_of(&app, certificate["id"].as_str().expect("id"), &setup.candidate).await;
    let document_check = |verdict: &Value| {
        verdict["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|check| check["name"] == "document_as_issued"))
            .map(|check| check["passed"].clone())
    };
    let genuine = json_of(upload(&app, pdf.clone(), "application/pdf").await).await;
    assert_eq!(genuine["status"], "valid", "{genuine}");
    assert_eq!(document_check(&genuine), Some(json!(true)), "{genuine}");

    let dir = tempfile::tempdir().expect("dir");
    let jwks = json_of(app.get("/.well-known/jwks.json", None).await).await;
    let keys_file = dir.path().join("jwks.json");
    std::fs::write(&keys_file, jwks.to_string()).expect("written");
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).expect("written");
    let printed = tool("pdftotext", &["-raw", path(&file), "-"]);
    let dates = printed
        .lines()
        .find(|line| line.starts_with("Issued "))
        .expect("the dates line");
    let (issued, _) = dates.split_once(" · Valid until ").expect("both dates");
    let later = format!("{issued} · Valid until 9 September 2039");
    for (original, replacement) in [
        ("Test Person", "Pat Stone"),
        (dates, later.as_str()),
        ("AI Deployment", "AI Architect"),
    ] {
        let forgery = forged(&pdf, original, replacement);
        let file = dir.path().join("forged.pdf");
        std::fs::write(&file, &forgery).expect("written");
        let shown = tool("pdftotext", &["-raw", path(&file), "-"]);
        assert!(
            shown.contains(replacement) && !shown.contains(original),
            "the forgery shows {replacement}: {shown}"
        );

        let verdict = json_of(upload(&app, forgery, "application/pdf").await).await;
        assert_eq!(verdict["status"], "altered", "{verdict}");
        assert_eq!(verdict["holder_name"], "Test Person", "{verdict}");
        assert_eq!(document_check(&verdict), Some(json!(false)), "{verdict}");

        let args = ["verify", path(&file), "--keys", path(&keys_file)].map(str::to_owned);
        let binary = env!("CARGO_BIN_EXE_certify");
        let offline = tokio::task::spawn_blocking(move || Command::new(binary).args(args).output().expect("runs"))
            .await
            .expect("joined");
        let stdout = String::from_utf8_lossy(&offline.stdout);
        assert_eq!(offline.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("FAIL the PDF's page is not the one issued"), "{stdout}");
    }
}

/// The verify form says where the PDF prints the code ("at the bottom left … after SHA-256"),
/// and the PDF prints it exactly there.
#[tokio::test]
async fn the_verify_forms_hint_points_where_the_pdf_prints_the_code() {
    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let certificate = pass(&app, &setup).await;
    let pdf = pdf_of(&app, certificate["id"].as_str().expect("id"), &setup.candidate).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).expect("written");
    let hash = certificate["hash"].as_str().expect("hash");
    let printed = tool("pdftotext", &["-raw", path(&file), "-"]);
    assert!(printed.contains(&format!("SHA-256 {hash}")), "{printed}");

    let boxes = tool("pdftotext", &["-bbox", path(&file), "-"]);
    let number = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        tag[start..]
            .split('"')
            .next()
            .expect("value")
            .parse()
            .expect("a number")
    };
    let page = boxes.lines().find(|line| line.contains("<page ")).expect("a page");
    let word = boxes
        .lines()
        .find(|line| line.contains(">SHA-256<"))
        .expect("the label");
    assert!(
        number(word, "xMin") < number(page, "width") / 3.0,
        "on the left: {word}"
    );
    assert!(
        number(word, "yMin") > number(page, "height") * 2.0 / 3.0,
        "at the bottom: {word}"
    );

    let (_, _, form) = crate::page_client::Browser::new(&app).get("/verify").await;
    assert!(
        form.contains("At the bottom left of the certificate: the 64 characters after “SHA-256”"),
        "{form}"
    );
}

/// A certificate issued before proof sets (its credential with the JSON proof alone) gets the
/// RDF proof from `certify keys add-proofs`, made by the same key and dated as the first; its
/// hash, its verify page and the PDF its holder downloaded before all stay valid. A second run
/// changes nothing.
#[tokio::test]
async fn certificates_issued_before_proof_sets_get_the_rdf_proof_and_keep_verifying() {
    use certify_certificates::entity::certificate;
    use sea_orm::{ActiveModelTrait as _, EntityTrait as _, Set};

    let app = spawn_app().await;
    let setup = exam_setup(&app, None).await;
    let issued = pass(&app, &setup).await;
    let id = issued["id"].as_str().expect("id");
    let hash = issued["hash"].as_str().expect("hash");
    let row = certificate::Entity::find_by_id(id.parse::<uuid::Uuid>().expect("uuid"))
        .one(&app.db)
        .await
        .expect("read")
        .expect("the certificate");
    let mut credential: Value = serde_json::from_str(&row.credential).expect("json");
    let set = credential["proof"].clone();
    credential["proof"] = set[0].clone();
    let as_before = |credential: &Value| {
        let mut older: certificate::ActiveModel = row.clone().into();
        older.credential = Set(credential.to_string());
        older
    };
    as_before(&credential)
        .update(&app.db)
        .await
        .expect("made as before proof sets");
    let earlier_pdf = pdf_of(&app, id, &setup.candidate).await;

    let done = certify_certificates::proof_sets::add_missing_rdf_proofs(&app.db, 1)
        .await
        .expect("added");
    assert_eq!(done.added, 1);
    let now = json_of(
        app.get(&format!("/api/v1/certificates/{id}/credential"), Some(&setup.candidate))
            .await,
    )
    .await;
    assert_eq!(now["proof"], set, "the same two proofs as a certificate issued today");
    assert_eq!(
        certify_certificates::proof::credential_hash(&now)
            .expect("hash")
            .as_str(),
        hash
    );

    let verdict = json_of(upload(&app, earlier_pdf, "application/pdf").await).await;
    assert_eq!(verdict["status"], "valid", "the PDF downloaded before: {verdict}");
    let by_hash = json_of(app.get(&format!("/api/v1/verify/{hash}"), None).await).await;
    assert_eq!(by_hash["status"], "valid", "{by_hash}");
    let again = certify_certificates::proof_sets::add_missing_rdf_proofs(&app.db, 1)
        .await
        .expect("ran");
    assert_eq!((again.added, again.examined), (0, done.examined), "nothing left to add");

    // A credential whose proof no longer holds is reported and left alone, not a stop.
    credential["proof"]["proofValue"] = set[1]["proofValue"].clone();
    as_before(&credential).update(&app.db).await.expect("spoiled");
    let spoiled = certify_certificates::proof_sets::add_missing_rdf_proofs(&app.db, 1)
        .await
        .expect("ran to the end");
    assert_eq!((spoiled.added, spoiled.skipped), (0, 1));
    assert!(spoiled.reasons[0].contains("does not verify"), "{:?}", spoiled.reasons);
}
