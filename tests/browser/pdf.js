// Alters a certificate PDF the way a forger would. alterAttachment changes the credential
// attached to it: the JSON inside changes, the file stays a well-formed PDF. The attachment is a deflated stream, so the forged
// JSON is padded with insignificant whitespace until it deflates to the original stream's exact
// length, leaving every offset in the file as it was.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";

const WHITESPACE = [" ", "\n", "\t", "\r"];

function padded(json, count) {
  let seed = 7;
  let pad = "";
  for (let i = 0; i < count; i += 1) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    pad += WHITESPACE[seed % 4];
  }
  return json.replace("{", `{${pad}`);
}

export function alterAttachment(pdf, from, to) {
  const text = pdf.toString("latin1");
  const marker = text.indexOf("/EmbeddedFile");
  if (marker < 0) throw new Error("the PDF has no attachment");
  const objectStart = text.lastIndexOf(" obj", marker);
  const keyword = text.indexOf("stream", marker);
  const length = Number(/\/Length (\d+)/.exec(text.slice(objectStart, keyword))[1]);
  let dataStart = keyword + "stream".length;
  if (text[dataStart] === "\r") dataStart += 1;
  if (text[dataStart] === "\n") dataStart += 1;
  const json = inflateSync(pdf.subarray(dataStart, dataStart + length)).toString("utf8");
  if (!json.includes(from)) throw new Error(`the attachment does not contain ${from}`);
  const forged = json.replace(from, to);
  for (let level = 1; level <= 9; level += 1) {
    for (let count = 0; count < 20_000; count += 1) {
      const stream = deflateSync(Buffer.from(padded(forged, count)), { level });
      if (stream.length === length) {
        const out = Buffer.from(pdf);
        stream.copy(out, dataStart);
        return out;
      }
      if (stream.length > length) break;
    }
  }
  throw new Error("could not forge an attachment of the original length");
}

/** The lines poppler reads off the PDF's page, in the content stream's order. */
function printedLines(pdf) {
  const dir = mkdtempSync(join(tmpdir(), "certify-forge-"));
  try {
    const file = join(dir, "genuine.pdf");
    writeFileSync(file, pdf);
    return execFileSync("pdftotext", ["-raw", file, "-"], { encoding: "utf8" }).split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each character's glyph code (four hex digits), read from lines whose codes and characters
 * pair one to one, then word by word once the space is known (poppler prints a run of spaces
 * as one). */
function glyphCodes(lines) {
  const glyphs = new Map();
  const pair = (codes, text) => {
    const chars = [...text];
    if (codes.length === chars.length) chars.forEach((char, i) => glyphs.set(char, codes[i]));
  };
  for (const { codes, line } of lines) pair(codes, line);
  const space = glyphs.get(" ");
  if (!space) throw new Error("no space printed on the page");
  for (const { codes, line } of lines) {
    const words = [];
    let word = [];
    for (const code of codes) {
      if (code === space) {
        if (word.length) words.push(word);
        word = [];
      } else word.push(code);
    }
    if (word.length) words.push(word);
    line.split(/\s+/).filter(Boolean).forEach((text, i) => words[i] && pair(words[i], text));
  }
  return glyphs;
}

/**
 * The holder's PDF with one printed line rewritten, as a forger would: the line printing
 * `original` is re-encoded with the same font's glyphs to print `replacement`, and saved as an
 * incremental update (a new page content stream appended, the old one left in place), so the
 * attached credential is untouched and every PDF reader shows the forgery.
 */
export function forgePrintedLine(pdf, original, replacement) {
  const text = pdf.toString("latin1");
  const contents = /\/Contents (\d+) 0 R/.exec(text)[1];
  const objectStart = text.indexOf(`\n${contents} 0 obj`) + 1;
  const keyword = text.indexOf("stream", objectStart);
  const length = Number(/\/Length (\d+)/.exec(text.slice(objectStart, keyword))[1]);
  let dataStart = keyword + "stream".length;
  if (text[dataStart] === "\r") dataStart += 1;
  if (text[dataStart] === "\n") dataStart += 1;
  const content = inflateSync(pdf.subarray(dataStart, dataStart + length)).toString("latin1");

  const shown = printedLines(pdf);
  const operations = [...content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)];
  const lines = operations.map((match, i) => ({ match, codes: match[1].match(/.{4}/g) ?? [], line: shown[i] ?? "" }));
  const glyphs = glyphCodes(lines);
  const target = lines.find(({ line }) => line === original);
  if (!target) throw new Error(`no line prints ${original}:\n${shown.join("\n")}`);
  const encoded = [...replacement].map((char) => {
    if (!glyphs.has(char)) throw new Error(`${char} is printed nowhere on the page`);
    return glyphs.get(char);
  }).join("");
  const { match } = target;
  const forgedContent = `${content.slice(0, match.index)}<${encoded}> Tj${content.slice(match.index + match[0].length)}`;

  const stream = deflateSync(Buffer.from(forgedContent, "latin1"));
  const previous = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)[1]);
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref\s+\d+\s+%%EOF\s*$/.exec(text)[1];
  const head = text.endsWith("\n") ? pdf : Buffer.concat([pdf, Buffer.from("\n")]);
  const object = Buffer.concat([
    Buffer.from(`${contents} 0 obj\n<</Length ${stream.length}/Filter/FlateDecode>>stream\n`, "latin1"),
    stream,
    Buffer.from("\nendstream\nendobj\n", "latin1"),
  ]);
  const xrefAt = head.length + object.length;
  const xref = `xref\n0 1\n0000000000 65535 f \n${contents} 1\n${String(head.length).padStart(10, "0")} 00000 n \n`
    + `trailer\n<<${trailer}/Prev ${previous}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([head, object, Buffer.from(xref, "latin1")]);
}

/** What poppler reads off a PDF's page, for a test to check that a forgery shows. */
export function printedText(pdf) {
  return printedLines(pdf).join("\n");
}
