//! The certificate as a PDF: an A4 landscape page a person reads, with the signed credential
//! attached as `credential.json` so that the file alone is enough to verify it.
//!
//! Rendering is deterministic (the same certificate gives the same bytes: no clock, no random
//! ids) and cheap enough to do on every download, so PDF bytes are never stored.

use std::cell::Cell;
use std::io::Read as _;
use std::sync::LazyLock;

use certify_core::Sha256Hex;
use lopdf::{Dictionary, LoadOptions, Object, ObjectId, Stream, StringFormat};
use printpdf::{
    Actions, BorderArray, Color, CurTransMat, FontId, LinePoint, LinkAnnotation, Mm, Op, PaintMode, ParsedFont,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem,
    WindingOrder,
};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::store::Certificate;

/// The name under which the signed credential is attached.
pub const ATTACHMENT_NAME: &str = "credential.json";

/// An attached credential larger than this is not one of ours; refusing it bounds the memory a
/// hostile upload (a small compressed stream that inflates enormously) can claim.
const MAX_ATTACHMENT_BYTES: u64 = 256 * 1024;

/// What reading someone's PDF may cost. Anyone may upload one to be verified, and a compressed
/// stream of a kilobyte can inflate to a gigabyte, listed any number of times in the
/// cross-reference table; so the loader inflates no stream beyond a mebibyte, reads at most a few
/// object streams and a few thousand objects, and refuses the file past that. A certificate of
/// ours has about thirty objects and no object stream.
const MAX_INFLATED_STREAM_BYTES: usize = 1024 * 1024;
const MAX_OBJECTS: u32 = 4096;
const MAX_OBJECT_STREAMS: u32 = 4;

thread_local! {
    /// The objects and object streams the current load has met. lopdf's load filter is a plain
    /// function, and without its `rayon` feature a load runs on the calling thread alone.
    static LOAD_COUNTS: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

const FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Parsed once: parsing the font costs far more than rendering a page.
static FONT: LazyLock<Option<ParsedFont>> = LazyLock::new(|| ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new()));

const PAGE_WIDTH: Mm = Mm(297.0);
const PAGE_HEIGHT: Mm = Mm(210.0);
const INK: Rgb = Rgb {
    r: 0.11,
    g: 0.16,
    b: 0.26,
    icc_profile: None,
};
const ACCENT: Rgb = Rgb {
    r: 0.16,
    g: 0.38,
    b: 0.62,
    icc_profile: None,
};
const MUTED: Rgb = Rgb {
    r: 0.38,
    g: 0.42,
    b: 0.48,
    icc_profile: None,
};

/// What the page shows.
#[derive(Debug, Clone)]
pub struct CertificatePage<'a> {
    pub issuer_name: &'a str,
    pub holder_name: &'a str,
    pub achievement_name: &'a str,
    pub issued_on: Date,
    pub expires_on: Date,
    pub credential_id: &'a str,
    pub hash: &'a Sha256Hex,
    /// Where the QR code leads: the public verification page of this certificate.
    pub verify_url: &'a str,
    /// The signed credential, attached verbatim.
    pub credential: &'a Value,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the certificate font could not be loaded")]
    Font,
    #[error("the verification link does not fit in a QR code: {0}")]
    QrCode(String),
    #[error("the PDF could not be written: {0}")]
    Write(String),
    #[error("the credential cannot be shown on a certificate: {0}")]
    Credential(String),
}

/// Why a PDF did not yield a credential.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PdfReadError {
    #[error("the upload is not a readable PDF: {0}")]
    NotAPdf(String),
    #[error("the PDF has no `credential.json` attachment")]
    NoAttachment,
    #[error("the `credential.json` attachment cannot be read: {0}")]
    UnreadableAttachment(String),
    #[error("the PDF is larger or more complex than any certificate, so it was not read")]
    TooComplex,
}

/// The PDF of a stored certificate.
pub fn render_certificate(certificate: &Certificate) -> Result<Vec<u8>, PdfError> {
    render_credential(&certificate.credential)
}

/// The PDF of a certificate, drawn from its signed credential alone: the holder, the
/// achievement, the issuer, the dates, the id and the verification link on the page are all what
/// the signature covers. Rendering is deterministic, so a document as issued is exactly what
/// rendering its attached credential gives again; verification relies on that.
pub fn render_credential(credential: &Value) -> Result<Vec<u8>, PdfError> {
    let text = |pointer: &str| {
        credential
            .pointer(pointer)
            .and_then(Value::as_str)
            .ok_or_else(|| PdfError::Credential(format!("it has no {pointer}")))
    };
    let date = |pointer: &str| {
        OffsetDateTime::parse(text(pointer)?, &Rfc3339)
            .map(|at| at.date())
            .map_err(|err| PdfError::Credential(format!("{pointer}: {err}")))
    };
    let holder_name = credential["credentialSubject"]["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|identity| identity["identityType"] == "name")
        .and_then(|identity| identity["identityHash"].as_str())
        .ok_or_else(|| PdfError::Credential("it names no holder".to_owned()))?;
    let issuer_id = text("/issuer/id")?;
    let base_url = issuer_id.strip_suffix("/issuer").unwrap_or(issuer_id);
    let hash = crate::proof::credential_hash(credential).map_err(|err| PdfError::Credential(err.to_string()))?;
    render(&CertificatePage {
        issuer_name: text("/issuer/name")?,
        holder_name,
        achievement_name: text("/name")?,
        issued_on: date("/validFrom")?,
        expires_on: date("/validUntil")?,
        credential_id: text("/id")?,
        hash: &hash,
        verify_url: &format!("{base_url}/verify/{hash}"),
        credential,
    })
}

/// Renders a certificate page as PDF bytes.
pub fn render(page: &CertificatePage<'_>) -> Result<Vec<u8>, PdfError> {
    let font = FONT.as_ref().ok_or(PdfError::Font)?;
    let mut document = PdfDocument::new(&format!("{} — {}", page.achievement_name, page.holder_name));
    let font_id = add_font_with_stable_id(&mut document, font);
    set_document_info(&mut document, page);

    let mut ops = artifact(frame());
    // What a screen reader reads, in order, each with its role: the lines, then the QR code.
    let mut content = text_block(font, &font_id, page);
    content.push(("Figure", qr_code(page.verify_url)?));
    let roles: Vec<&str> = content.iter().map(|(role, _)| *role).collect();
    ops.extend(
        content
            .into_iter()
            .enumerate()
            .flat_map(|(mcid, (role, content_ops))| marked(role, mcid, content_ops)),
    );
    ops.extend(verify_links(page.verify_url));
    document.with_pages(vec![PdfPage::new(PAGE_WIDTH, PAGE_HEIGHT, ops)]);

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut pdf = printpdf::serialize::to_lopdf_doc(&document, &options, &mut Vec::new());
    attach_credential(&mut pdf, page.credential).map_err(|err| PdfError::Write(err.to_string()))?;
    tag_subset_font(&mut pdf, page.hash);
    tidy_document_info(&mut pdf);
    add_structure(&mut pdf, &roles).map_err(|err| PdfError::Write(err.to_string()))?;
    set_stable_file_id(&mut pdf, page.hash);
    compress_streams(&mut pdf).map_err(|err| PdfError::Write(err.to_string()))?;
    let mut bytes = Vec::with_capacity(64 * 1024);
    pdf.save_to(&mut bytes)
        .map_err(|err| PdfError::Write(err.to_string()))?;
    Ok(bytes)
}

/// printpdf names fonts with random ids; a fixed one keeps the bytes reproducible.
fn add_font_with_stable_id(document: &mut PdfDocument, font: &ParsedFont) -> FontId {
    let random_id = document.add_font(font);
    let stable_id = FontId("F1".to_owned());
    if let Some(pdf_font) = document.resources.fonts.map.remove(&random_id) {
        document.resources.fonts.map.insert(stable_id.clone(), pdf_font);
    }
    stable_id
}

fn set_document_info(document: &mut PdfDocument, page: &CertificatePage<'_>) {
    let info = &mut document.metadata.info;
    info.author = page.issuer_name.to_owned();
    info.creator = page.issuer_name.to_owned();
    info.producer = "Certify".to_owned();
    info.subject = format!("Certificate {}", page.credential_id);
    info.identifier = page.hash.to_string();
    let issued = pdf_date(page.issued_on);
    info.creation_date = issued;
    info.modification_date = issued;
    info.metadata_date = issued;
}

/// Midnight UTC of `date`, in printpdf's own date type.
fn pdf_date(date: Date) -> printpdf::OffsetDateTime {
    let epoch = printpdf::OffsetDateTime::epoch();
    printpdf::OffsetDateTime {
        date: printpdf::Date {
            year: date.year(),
            month: u8::from(date.month()),
            day: date.day(),
        },
        ..epoch
    }
}

fn rgb(colour: &Rgb) -> Color {
    Color::Rgb(colour.clone())
}

/// A double rule around the page.
fn frame() -> Vec<Op> {
    let outline = |inset: f32, thickness: f32| {
        [
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Mm(inset).into(),
                    y: Mm(inset).into(),
                    width: Mm(PAGE_WIDTH.0 - 2.0 * inset).into(),
                    height: Mm(PAGE_HEIGHT.0 - 2.0 * inset).into(),
                    mode: Some(PaintMode::Stroke),
                    winding_order: Some(WindingOrder::NonZero),
                },
            },
        ]
    };
    let mut ops = vec![Op::SetOutlineColor { col: rgb(&ACCENT) }];
    ops.extend(outline(10.0, 2.5));
    ops.extend(outline(13.0, 0.6));
    ops
}

/// One centred or left-aligned line of text.
struct Line<'a> {
    text: &'a str,
    size: f32,
    colour: &'a Rgb,
    /// Distance of the baseline from the bottom of the page.
    baseline: Mm,
    align: Align,
}

/// Where a line starts; either way it shrinks to fit its width.
enum Align {
    Centre { max_width: Mm },
    Left { x: Mm, max_width: Mm },
}

/// The page's lines in reading order, each with its structure role (the title is the heading).
fn text_block(font: &ParsedFont, font_id: &FontId, page: &CertificatePage<'_>) -> Vec<(&'static str, Vec<Op>)> {
    let dates = format!(
        "Issued {}   ·   Valid until {}",
        human_date(page.issued_on),
        human_date(page.expires_on)
    );
    let credential = format!("Credential {}", page.credential_id);
    let hash = format!("SHA-256 {}", page.hash);
    let footer = || Align::Left {
        x: FOOTER_LEFT,
        max_width: FOOTER_WIDTH,
    };
    let centred = || Align::Centre { max_width: Mm(250.0) };
    let lines = [
        Line {
            text: page.issuer_name,
            size: 14.0,
            colour: &ACCENT,
            baseline: Mm(178.0),
            align: centred(),
        },
        Line {
            text: "Certificate of Achievement",
            size: 32.0,
            colour: &INK,
            baseline: Mm(160.0),
            align: centred(),
        },
        Line {
            text: "This certifies that",
            size: 13.0,
            colour: &MUTED,
            baseline: Mm(140.0),
            align: centred(),
        },
        Line {
            text: page.holder_name,
            size: 30.0,
            colour: &INK,
            baseline: Mm(124.0),
            align: centred(),
        },
        Line {
            text: "has earned the certification",
            size: 13.0,
            colour: &MUTED,
            baseline: Mm(108.0),
            align: centred(),
        },
        Line {
            text: page.achievement_name,
            size: 22.0,
            colour: &ACCENT,
            baseline: Mm(94.0),
            align: centred(),
        },
        Line {
            text: &dates,
            size: 12.0,
            colour: &INK,
            baseline: Mm(78.0),
            align: centred(),
        },
        Line {
            text: &credential,
            size: 8.0,
            colour: &MUTED,
            baseline: Mm(36.0),
            align: footer(),
        },
        Line {
            text: &hash,
            size: 8.0,
            colour: &MUTED,
            baseline: Mm(30.0),
            align: footer(),
        },
        Line {
            text: "Scan the code or open the link to check this certificate:",
            size: 8.0,
            colour: &MUTED,
            baseline: Mm(24.0),
            align: footer(),
        },
        Line {
            text: page.verify_url,
            size: 8.0,
            colour: &ACCENT,
            baseline: VERIFY_URL_BASELINE,
            align: footer(),
        },
    ];
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| (if index == 1 { "H1" } else { "P" }, place(font, font_id, line)))
        .collect()
}

fn place(font: &ParsedFont, font_id: &FontId, line: &Line<'_>) -> Vec<Op> {
    let max_width = match line.align {
        Align::Centre { max_width } | Align::Left { max_width, .. } => Pt::from(max_width).0,
    };
    let natural = text_width(font, line.text, line.size);
    let size = if natural > max_width {
        line.size * max_width / natural
    } else {
        line.size
    };
    let x = match line.align {
        Align::Centre { .. } => Pt((Pt::from(PAGE_WIDTH).0 - text_width(font, line.text, size)) / 2.0),
        Align::Left { x, .. } => x.into(),
    };
    // A text section of its own per line: inside one, the cursor moves relative to the last line.
    vec![
        Op::StartTextSection,
        Op::SetFont {
            font: PdfFontHandle::External(font_id.clone()),
            size: Pt(size),
        },
        Op::SetFillColor { col: rgb(line.colour) },
        Op::SetTextCursor {
            pos: Point {
                x,
                y: line.baseline.into(),
            },
        },
        Op::ShowText {
            items: vec![TextItem::Text(line.text.to_owned())],
        },
        Op::EndTextSection,
    ]
}

/// The advance width of `text` at `size` points, from the font's own metrics.
fn text_width(font: &ParsedFont, text: &str, size: f32) -> f32 {
    let units_per_em = f32::from(font.font_metrics.units_per_em.max(1));
    let advance: u32 = text
        .chars()
        .filter_map(|c| font.lookup_glyph_index(u32::from(c)))
        .map(|glyph| u32::from(font.get_horizontal_advance(glyph)))
        .sum();
    advance as f32 * size / units_per_em
}

fn human_date(date: Date) -> String {
    date.format(format_description!("[day padding:none] [month repr:long] [year]"))
        .unwrap_or_else(|_| date.to_string())
}

/// The QR code, bottom right, drawn as filled squares (vector, so it stays sharp when printed
/// and costs no image compression). fast_qr picks the best mask about six times faster than the
/// qrcode crate, which took half the render time. Dark modules of a row are merged into runs, and the squares
/// are drawn in module units under a scaling matrix: whole numbers are cheap to write.
fn qr_code(url: &str) -> Result<Vec<Op>, PdfError> {
    let code = fast_qr::QRBuilder::new(url)
        .ecl(fast_qr::ECL::M)
        .build()
        .map_err(|err| PdfError::QrCode(err.to_string()))?;
    let modules = code.size;
    let side = Pt::from(QR_SIDE).0;
    let module = side / modules as f32;
    let left = Pt::from(QR_LEFT).0;
    let bottom = Pt::from(QR_BOTTOM).0;

    let mut rings = Vec::new();
    for row in 0..modules {
        let dark = |column: usize| code[row][column].value();
        // Module rows count from the top; PDF y from the bottom.
        let y = (modules - 1 - row) as f32;
        let mut column = 0;
        while column < modules {
            if !dark(column) {
                column += 1;
                continue;
            }
            let start = column;
            while column < modules && dark(column) {
                column += 1;
            }
            rings.push(square_ring(start as f32, y, column as f32, y + 1.0));
        }
    }
    Ok(vec![
        Op::SaveGraphicsState,
        Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([module, 0.0, 0.0, module, left, bottom]),
        },
        Op::SetFillColor { col: rgb(&INK) },
        Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        },
        Op::RestoreGraphicsState,
    ])
}

fn square_ring(x0: f32, y0: f32, x1: f32, y1: f32) -> PolygonRing {
    let corner = |x: f32, y: f32| LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    };
    PolygonRing {
        points: vec![corner(x0, y0), corner(x1, y0), corner(x1, y1), corner(x0, y1)],
    }
}

/// Attaches the credential as an associated file (PDF 2.0 `AF`, also listed in the
/// `EmbeddedFiles` name tree that every viewer's attachment pane reads).
fn attach_credential(pdf: &mut lopdf::Document, credential: &Value) -> Result<(), lopdf::Error> {
    let json = serde_json::to_vec_pretty(credential).map_err(|err| lopdf::Error::Syntax(err.to_string()))?;
    let size = i64::try_from(json.len()).unwrap_or(i64::MAX);
    let embedded = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"EmbeddedFile".to_vec())),
            ("Subtype", Object::Name(b"application/json".to_vec())),
            (
                "Params",
                Object::Dictionary(Dictionary::from_iter(vec![("Size", Object::Integer(size))])),
            ),
        ]),
        json,
    );
    let embedded_id = pdf.add_object(embedded);
    let name = || Object::String(ATTACHMENT_NAME.as_bytes().to_vec(), StringFormat::Literal);
    let file_spec = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Filespec".to_vec())),
        ("F", name()),
        ("UF", name()),
        (
            "Desc",
            Object::String(b"Signed Open Badges 3.0 credential".to_vec(), StringFormat::Literal),
        ),
        ("AFRelationship", Object::Name(b"Data".to_vec())),
        (
            "EF",
            Object::Dictionary(Dictionary::from_iter(vec![("F", Object::Reference(embedded_id))])),
        ),
    ]);
    let file_spec_id = pdf.add_object(file_spec);
    let catalog = pdf.catalog_mut()?;
    catalog.set(
        "Names",
        Dictionary::from_iter(vec![(
            "EmbeddedFiles",
            Object::Dictionary(Dictionary::from_iter(vec![(
                "Names",
                Object::Array(vec![name(), Object::Reference(file_spec_id)]),
            )])),
        )]),
    );
    catalog.set("AF", Object::Array(vec![Object::Reference(file_spec_id)]));
    catalog.set("PageMode", Object::Name(b"UseAttachments".to_vec()));
    Ok(())
}

/// Deflates every stream not yet filtered, at a fast level: lopdf's own `compress` uses the best
/// level, which took half of the render time for files a few per cent smaller.
fn compress_streams(pdf: &mut lopdf::Document) -> std::io::Result<()> {
    use std::io::Write as _;
    for object in pdf.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if stream.dict.get(b"Filter").is_ok() || !stream.allows_compression {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&stream.content)?;
        let compressed = encoder.finish()?;
        if compressed.len() < stream.content.len() {
            stream.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            stream.set_content(compressed);
        }
    }
    Ok(())
}

// ---- tagging: what a screen reader reads, in order ----------------------------------------
//
// Every line of text is marked content with its own MCID, in reading order, and the QR code is
// a figure with a text alternative; the frame is an artifact. The structure tree built after
// serialising (printpdf writes marked content but no structure) points at those MCIDs.

const QR_ALT: &str = "QR code linking to this certificate's verification page";

fn marked(role: &str, mcid: usize, ops: Vec<Op>) -> Vec<Op> {
    let properties = printpdf::DictItem::Dict {
        map: std::collections::BTreeMap::from([(
            "MCID".to_owned(),
            printpdf::DictItem::Int(i64::try_from(mcid).unwrap_or(0)),
        )]),
    };
    let mut marked = vec![Op::BeginMarkedContentWithProperties {
        tag: role.to_owned(),
        properties,
    }];
    marked.extend(ops);
    marked.push(Op::EndMarkedContent);
    marked
}

fn artifact(ops: Vec<Op>) -> Vec<Op> {
    let mut marked = vec![Op::BeginMarkedContent {
        tag: "Artifact".to_owned(),
    }];
    marked.extend(ops);
    marked.push(Op::EndMarkedContent);
    marked
}

/// The structure tree of the one page: a `Document` holding one element per MCID, the parent
/// tree that maps the page's MCIDs back to them, and the catalogue's `MarkInfo` and `Lang`.
fn add_structure(pdf: &mut lopdf::Document, roles: &[&str]) -> Result<(), lopdf::Error> {
    let page_id = *pdf
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| lopdf::Error::Syntax("a certificate without a page".to_owned()))?;
    let root_id = pdf.new_object_id();
    let document_id = pdf.new_object_id();
    let elements: Vec<ObjectId> = roles
        .iter()
        .enumerate()
        .map(|(mcid, role)| {
            let mut element = Dictionary::from_iter(vec![
                ("Type", Object::Name(b"StructElem".to_vec())),
                ("S", Object::Name(role.as_bytes().to_vec())),
                ("P", Object::Reference(document_id)),
                ("Pg", Object::Reference(page_id)),
                ("K", Object::Integer(i64::try_from(mcid).unwrap_or(0))),
            ]);
            if *role == "Figure" {
                element.set("Alt", Object::String(QR_ALT.as_bytes().to_vec(), StringFormat::Literal));
            }
            pdf.add_object(element)
        })
        .collect();
    let references = || elements.iter().map(|id| Object::Reference(*id)).collect::<Vec<_>>();
    pdf.objects.insert(
        document_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"StructElem".to_vec())),
            ("S", Object::Name(b"Document".to_vec())),
            ("P", Object::Reference(root_id)),
            ("K", Object::Array(references())),
        ])),
    );
    let parent_tree = Dictionary::from_iter(vec![(
        "Nums",
        Object::Array(vec![Object::Integer(0), Object::Array(references())]),
    )]);
    pdf.objects.insert(
        root_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"StructTreeRoot".to_vec())),
            ("K", Object::Reference(document_id)),
            ("ParentTree", Object::Dictionary(parent_tree)),
            ("ParentTreeNextKey", Object::Integer(1)),
        ])),
    );
    pdf.get_object_mut(page_id)?
        .as_dict_mut()?
        .set("StructParents", Object::Integer(0));
    let catalog = pdf.catalog_mut()?;
    catalog.set("StructTreeRoot", Object::Reference(root_id));
    catalog.set(
        "MarkInfo",
        Object::Dictionary(Dictionary::from_iter(vec![("Marked", Object::Boolean(true))])),
    );
    catalog.set("Lang", Object::String(b"en".to_vec(), StringFormat::Literal));
    Ok(())
}

/// Where the footer lines start and how wide they may grow: they end where the QR code begins.
const FOOTER_LEFT: Mm = Mm(22.0);
const FOOTER_WIDTH: Mm = Mm(205.0);
/// The baseline of the printed verify address, the footer's last line.
const VERIFY_URL_BASELINE: Mm = Mm(19.0);

/// Where the QR code sits, in millimetres from the bottom left: x, y and side.
const QR_LEFT: Mm = Mm(PAGE_WIDTH.0 - 22.0 - QR_SIDE.0);
const QR_BOTTOM: Mm = Mm(22.0);
const QR_SIDE: Mm = Mm(42.0);

/// Makes the printed verify address and the QR code clickable links to the verify page.
fn verify_links(url: &str) -> Vec<Op> {
    let link = |x: Mm, y: Mm, width: Mm, height: Mm| Op::LinkAnnotation {
        link: LinkAnnotation::new(
            Rect {
                x: x.into(),
                y: y.into(),
                width: width.into(),
                height: height.into(),
                mode: None,
                winding_order: None,
            },
            Actions::uri(url.to_owned()),
            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
            None,
            None,
        ),
    };
    vec![
        // The footer's last line, from just under its baseline up past the 8 pt type.
        link(FOOTER_LEFT, Mm(VERIFY_URL_BASELINE.0 - 1.5), FOOTER_WIDTH, Mm(5.0)),
        link(QR_LEFT, QR_BOTTOM, QR_SIDE, QR_SIDE),
    ]
}

/// Gives the embedded subset font the tag readers expect (ISO 32000-1 §9.6.4: six capital
/// letters and a plus sign, here derived from the certificate hash so the bytes stay the same).
/// printpdf names it after its resource id (`F1+DejaVuSans`), which tools report as not subset.
fn tag_subset_font(pdf: &mut lopdf::Document, hash: &Sha256Hex) {
    let tag: String = hash
        .as_str()
        .bytes()
        .take(6)
        .map(|digit| char::from(b'A' + (digit as char).to_digit(16).map_or(0, |d| d as u8)))
        .collect();
    for object in pdf.objects.values_mut() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &mut stream.dict,
            _ => continue,
        };
        for key in [b"BaseFont".as_slice(), b"FontName".as_slice()] {
            if let Ok(Object::Name(name)) = dict.get_mut(key)
                && let Some(rest) = name.strip_prefix(b"F1+")
            {
                *name = [tag.as_bytes(), b"+", rest].concat();
            }
        }
    }
}

/// Drops what printpdf writes into the document information that is not true of the file: an
/// empty `GTS_PDFXVersion` (readers then describe the file as PDF/X) and empty keywords.
fn tidy_document_info(pdf: &mut lopdf::Document) {
    let Ok(info_id) = pdf.trailer.get(b"Info").and_then(Object::as_reference) else {
        return;
    };
    if let Ok(Object::Dictionary(info)) = pdf.get_object_mut(info_id) {
        info.remove(b"GTS_PDFXVersion");
        if matches!(info.get(b"Keywords"), Ok(Object::String(keywords, _)) if keywords.is_empty()) {
            info.remove(b"Keywords");
        }
    }
}

/// The trailer's file identifier, derived from the certificate hash instead of random bytes.
fn set_stable_file_id(pdf: &mut lopdf::Document, hash: &Sha256Hex) {
    let id = || Object::String(hash.as_str().as_bytes()[..32].to_vec(), StringFormat::Hexadecimal);
    pdf.trailer.set("ID", Object::Array(vec![id(), id()]));
}

/// Reads the `credential.json` attachment out of a certificate PDF.
pub fn extract_credential(bytes: &[u8]) -> Result<Value, PdfReadError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(PdfReadError::NotAPdf("it does not start with a PDF header".to_owned()));
    }
    let pdf = load_untrusted(bytes)?;
    let stream = attachment_stream(&pdf).ok_or(PdfReadError::NoAttachment)?;
    let json = attachment_bytes(stream)?;
    serde_json::from_slice(&json).map_err(|err| PdfReadError::UnreadableAttachment(format!("not JSON: {err}")))
}

/// Loads a PDF from anyone within the bounds above.
fn load_untrusted(bytes: &[u8]) -> Result<lopdf::Document, PdfReadError> {
    LOAD_COUNTS.set((0, 0));
    let options = LoadOptions {
        filter: Some(count_object),
        max_decompressed_size: Some(MAX_INFLATED_STREAM_BYTES),
        ..LoadOptions::default()
    };
    let loaded = lopdf::Document::load_mem_with_options(bytes, options);
    let (objects, object_streams) = LOAD_COUNTS.get();
    if objects > MAX_OBJECTS || object_streams > MAX_OBJECT_STREAMS {
        return Err(PdfReadError::TooComplex);
    }
    loaded.map_err(|err| match err {
        lopdf::Error::Decompress(_) => PdfReadError::TooComplex,
        other => PdfReadError::NotAPdf(other.to_string()),
    })
}

/// lopdf's load filter: counts each object met and drops every one past the bounds, before an
/// object stream among them is inflated.
fn count_object(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let (objects, object_streams) = LOAD_COUNTS.get();
    let is_object_stream = object.as_stream().is_ok_and(|stream| stream.dict.has_type(b"ObjStm"));
    let counts = (objects + 1, object_streams + u32::from(is_object_stream));
    LOAD_COUNTS.set(counts);
    (counts.0 <= MAX_OBJECTS && counts.1 <= MAX_OBJECT_STREAMS).then(|| (id, object.clone()))
}

/// Finds the embedded file named `credential.json` in the catalogue's name tree (a flat
/// `Names` array, or one level of `Kids`, as PDF writers produce).
fn attachment_stream(pdf: &lopdf::Document) -> Option<&Stream> {
    let catalog = pdf.catalog().ok()?;
    let names = resolve_dict(pdf, catalog.get(b"Names").ok()?)?;
    let tree = resolve_dict(pdf, names.get(b"EmbeddedFiles").ok()?)?;
    let mut nodes = vec![tree];
    if let Ok(kids) = tree.get(b"Kids").and_then(Object::as_array) {
        nodes.extend(kids.iter().filter_map(|kid| resolve_dict(pdf, kid)));
    }
    nodes.into_iter().find_map(|node| {
        let entries = node.get(b"Names").and_then(Object::as_array).ok()?;
        entries.chunks(2).find_map(|pair| match pair {
            [Object::String(name, _), spec] if name.as_slice() == ATTACHMENT_NAME.as_bytes() => {
                let spec = resolve_dict(pdf, spec)?;
                let files = resolve_dict(pdf, spec.get(b"EF").ok()?)?;
                let (_, file) = pdf.dereference(files.get(b"F").ok()?).ok()?;
                file.as_stream().ok()
            }
            _ => None,
        })
    })
}

fn resolve_dict<'a>(pdf: &'a lopdf::Document, object: &'a Object) -> Option<&'a Dictionary> {
    let (_, object): (Option<ObjectId>, &Object) = pdf.dereference(object).ok()?;
    object.as_dict().ok()
}

/// The attachment's bytes, inflated with a ceiling (see [`MAX_ATTACHMENT_BYTES`]).
fn attachment_bytes(stream: &Stream) -> Result<Vec<u8>, PdfReadError> {
    let filters = stream.filters().unwrap_or_default();
    let mut bytes = Vec::new();
    let read = match filters.as_slice() {
        [] => (&stream.content[..])
            .take(MAX_ATTACHMENT_BYTES + 1)
            .read_to_end(&mut bytes),
        [b"FlateDecode"] => flate2::read::ZlibDecoder::new(&stream.content[..])
            .take(MAX_ATTACHMENT_BYTES + 1)
            .read_to_end(&mut bytes),
        other => {
            let names: Vec<String> = other.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            return Err(PdfReadError::UnreadableAttachment(format!(
                "unsupported stream filter {}",
                names.join(", ")
            )));
        }
    };
    read.map_err(|err| PdfReadError::UnreadableAttachment(err.to_string()))?;
    if bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(PdfReadError::UnreadableAttachment(format!(
            "larger than {MAX_ATTACHMENT_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use serde_json::json;
    use time::macros::date;

    use super::*;

    fn credential() -> Value {
        json!({"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "AI Deployment Consultant",
               "credentialSubject": {"achievement": {"name": "AI Deployment Consultant"}}})
    }

    fn render_sample(holder_name: &str, credential: &Value) -> Result<Vec<u8>, PdfError> {
        let hash = Sha256Hex::parse(&"ab".repeat(32)).map_err(|err| PdfError::Write(err.to_string()))?;
        render(&CertificatePage {
            issuer_name: "AI Partner Network Certification Programme",
            holder_name,
            achievement_name: "AI Deployment Consultant",
            issued_on: date!(2026 - 11 - 22),
            expires_on: date!(2028 - 11 - 22),
            credential_id: "urn:uuid:01900000-0000-7000-8000-000000000001",
            hash: &hash,
            verify_url: "https://certify.example/verify/abababababababababababababababababababababababababababababababab",
            credential,
        })
    }

    #[test]
    fn the_same_certificate_renders_to_the_same_bytes() -> anyhow::Result<()> {
        let first = render_sample("Ada Okafor", &credential())?;
        let second = render_sample("Ada Okafor", &credential())?;
        assert!(first.starts_with(b"%PDF-"));
        assert_eq!(first, second);
        assert_ne!(first, render_sample("Ada Okafor-Lindqvist", &credential())?);
        Ok(())
    }

    #[test]
    fn the_attached_credential_reads_back_unchanged() -> anyhow::Result<()> {
        let pdf = render_sample("Zoë Łukasiewicz-Ångström", &credential())?;
        assert_eq!(extract_credential(&pdf)?, credential());
        Ok(())
    }

    #[test]
    fn a_very_long_name_still_renders() -> anyhow::Result<()> {
        let pdf = render_sample(&"Maximiliane ".repeat(10), &credential())?;
        assert_eq!(extract_credential(&pdf)?, credential());
        Ok(())
    }

    #[test]
    fn other_files_are_refused_with_the_reason() -> anyhow::Result<()> {
        assert!(matches!(
            extract_credential(b"{\"not\": \"a pdf\"}"),
            Err(PdfReadError::NotAPdf(_))
        ));
        assert!(matches!(
            extract_credential(b"%PDF-1.7\ngarbage"),
            Err(PdfReadError::NotAPdf(_))
        ));
        let mut plain = PdfDocument::new("no attachment");
        plain.with_pages(vec![PdfPage::new(Mm(100.0), Mm(100.0), Vec::new())]);
        let plain = plain.save(&PdfSaveOptions::default(), &mut Vec::new());
        assert_eq!(extract_credential(&plain), Err(PdfReadError::NoAttachment));
        Ok(())
    }

    #[test]
    fn an_attachment_that_inflates_beyond_the_ceiling_is_refused() -> anyhow::Result<()> {
        let mut zeros = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        zeros.write_all(&vec![b' '; 8 * 1024 * 1024])?;
        let stream = Stream::new(
            Dictionary::from_iter(vec![("Filter", Object::Name(b"FlateDecode".to_vec()))]),
            zeros.finish()?,
        );
        assert!(matches!(
            attachment_bytes(&stream),
            Err(PdfReadError::UnreadableAttachment(reason)) if reason.contains("larger than")
        ));
        Ok(())
    }
}
