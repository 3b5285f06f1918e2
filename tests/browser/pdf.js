// Alters the credential attached to a certificate PDF the way a forger would: the JSON inside
// changes, the file stays a well-formed PDF. The attachment is a deflated stream, so the forged
// JSON is padded with insignificant whitespace until it deflates to the original stream's exact
// length, leaving every offset in the file as it was.
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
