#!/usr/bin/env node
// A real OpenID Connect provider (oidc-provider, OpenID-certified) playing a partner firm's
// identity provider in Certify's tests. It listens on a loopback port and prints one line,
// `listening on <issuer>`, once it accepts requests.
//
//   node provider.js --client-id ID --client-secret SECRET --redirect-uri URI
//                    [--post-logout-uri URI] [--port 0] [--accounts JSON]
//
// `--accounts` maps each login name to its claims, e.g.
// '{"alice": {"email": "alice@northwind.example", "email_verified": true}}'; a login not listed
// gets `<login>@unlisted.example`, unverified. The development login page accepts any password.
//
// The signing key is made afresh at each start, so a restart is a key rotation.
//
// For the tests of what a relying party must refuse, `POST /test/mischief` with a JSON body
// `{"kind": "audience" | "nonce" | "expired" | "future" | "signature"}` makes the next token response carry
// an ID token with that one flaw (re-signed with the provider's own key, except for
// `signature`). Nothing else about the provider changes.
//
// `POST /test/discovery` with a JSON object replaces those fields of the discovery document
// (say `{"jwks_uri": "https://169.254.169.254/keys"}`) until the next such post; `{}` undoes it.

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';
import * as jose from 'jose';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-uri': { type: 'string', multiple: true, default: [] },
    accounts: { type: 'string', default: '{}' },
  },
});
for (const required of ['client-id', 'client-secret', 'redirect-uri']) {
  if (!args[required]) {
    console.error(`--${required} is required`);
    process.exit(2);
  }
}
const accounts = JSON.parse(args.accounts);

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

// The issuer needs the port, which is known once the server listens: bind first, then build.
const server = createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: args['redirect-uri'],
    post_logout_redirect_uris: args['post-logout-uri'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  jwks: { keys: [signingKey] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The e-mail claims go in the ID token too, so the relying party needs no userinfo call.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(_ctx, sub) {
    const listed = accounts[sub] ?? { email: `${sub}@unlisted.example`, email_verified: false };
    return { accountId: sub, claims: async () => ({ sub, name: listed.name ?? sub, ...listed }) };
  },
});
// Plain HTTP on loopback: tell the provider the connection is what it is.
provider.proxy = false;

let mischief = null;
let discoveryOverrides = {};
async function jsonBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString());
}
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/mischief') {
    mischief = (await jsonBody(ctx.req)).kind;
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/test/discovery') {
    discoveryOverrides = await jsonBody(ctx.req);
    ctx.status = 204;
    return;
  }
  await next();
  if (ctx.path === '/.well-known/openid-configuration' && ctx.body) {
    ctx.body = { ...ctx.body, ...discoveryOverrides };
  }
  if (ctx.path === '/token' && mischief && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token, mischief) };
    mischief = null;
  }
});

async function spoil(idToken, kind) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'audience': claims.aud = 'another-client'; break;
    case 'nonce': claims.nonce = 'not-the-nonce-that-was-sent'; break;
    case 'expired': claims.iat = now - 7200; claims.exp = now - 3600; break;
    case 'future': claims.iat = now + 3600; claims.exp = now + 7200; break;
    case 'signature': {
      const [header, payload, signature] = idToken.split('.');
      const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
      return `${header}.${payload}.${flipped}`;
    }
    default: throw new Error(`unknown mischief ${kind}`);
  }
  const key = await jose.importJWK(signingKey, 'RS256');
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' }).sign(key);
}

server.on('request', provider.callback());
console.log(`listening on ${issuer}`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
