// The OpenID Connect provider the tests run against (tests/it/common/oidc_provider.rs): the npm
// package oauth2-mock-server, started here on 127.0.0.1 port 0, with its hooks made strict where a
// real provider is: one client with one secret (a wrong one is refused with `invalid_client`),
// the client authentication methods the discovery document lists, `aud` set, keys rotated or
// switched to ES256 on command.
//
// Options (argv): --client-id ID --client-secret S [--audience A] [--auth-methods M,M]
//                 [--expires-in SECS] [--jwks-max-age SECS] [--echo-secret]
// Standard output: `issuer URL` once listening, then one answer line per command.
// Standard input, one command a line: `rotate` (a new RS256 key signs from now on), `es256` (a new
// P-256 key signs), `audience A`, `expires-in SECS`, `answer KIND` (the token endpoint's next
// answers: `normal`, `no-token` without `access_token`, `mac` with `token_type` mac),
// `broken-key KID` (the published set also holds an unusable key named KID: a 24-bit RSA
// modulus), `counts` (answers `token N jwks N discovery N`), `stop` (the server closes; answers
// `stopped`).
//
// The package declares node 22 or later; the node 20 of the project's machines runs it (the
// tests pass on it), and `npm ci` only warns.

import { createInterface } from "node:readline";
import { OAuth2Server } from "oauth2-mock-server";

const options = {
  clientId: "xconn-test",
  clientSecret: "",
  audience: undefined,
  authMethods: ["client_secret_basic", "client_secret_post"],
  expiresIn: 3600,
  jwksMaxAge: 300,
  echoSecret: false,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const next = () => argv[++i];
  switch (argv[i]) {
    case "--client-id": options.clientId = next(); break;
    case "--client-secret": options.clientSecret = next(); break;
    case "--audience": options.audience = next(); break;
    case "--auth-methods": options.authMethods = next().split(","); break;
    case "--expires-in": options.expiresIn = Number(next()); break;
    case "--jwks-max-age": options.jwksMaxAge = Number(next()); break;
    case "--echo-secret": options.echoSecret = true; break;
    default: throw new Error(`unknown option ${argv[i]}`);
  }
}

const counts = { token: 0, jwks: 0, discovery: 0 };
// Keys published beside the signing keys, which no verifier can use (`broken-key`).
const brokenKeys = [];
let answer = "normal";
const server = new OAuth2Server();
let signingKid = (await server.issuer.keys.generate("RS256")).kid;

// Every token is signed by the current key (the mock's own choice is round-robin).
const buildToken = server.issuer.buildToken.bind(server.issuer);
server.issuer.buildToken = (opts) => buildToken({ ...opts, kid: signingKid, expiresIn: options.expiresIn });

// The keys with a Cache-Control max-age, counted (the mock's own /jwks sends no caching header).
server.service.addRoute("GET", "/keys", (_req, res) => {
  counts.jwks += 1;
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Cache-Control": `max-age=${options.jwksMaxAge}`,
  });
  res.end(JSON.stringify({ keys: [...brokenKeys, ...server.issuer.keys.toJSON()] }));
});

server.service.on("beforeWellKnownOpenIdConfiguration", (config) => {
  counts.discovery += 1;
  config.body.token_endpoint_auth_methods_supported = options.authMethods;
  config.body.jwks_uri = `${server.issuer.url}/keys`;
  config.body.id_token_signing_alg_values_supported = ["RS256", "ES256"];
});

// Who asked, and how: HTTP Basic (client_secret_basic) or form fields (client_secret_post).
function credentials(req) {
  const header = req.headers.authorization ?? "";
  if (header.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return {
      method: "client_secret_basic",
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  }
  return { method: "client_secret_post", id: req.body.client_id, secret: req.body.client_secret };
}

server.service.on("beforeTokenSigning", (token, req) => {
  const who = credentials(req);
  token.payload.azp = who.id;
  token.payload.sub = who.id;
  if (options.audience !== undefined) token.payload.aud = options.audience;
  else delete token.payload.aud;
});

server.service.on("beforeResponse", (response, req) => {
  counts.token += 1;
  const who = credentials(req);
  let refused;
  if (!options.authMethods.includes(who.method)) {
    refused = `${who.method} is not accepted here`;
  } else if (who.id !== options.clientId || who.secret !== options.clientSecret) {
    refused = options.echoSecret
      ? `Invalid client credentials: secret '${who.secret}' does not match`
      : "Invalid client or Invalid client credentials";
  }
  if (refused !== undefined) {
    response.statusCode = 401;
    response.body = { error: "invalid_client", error_description: refused };
  } else if (answer === "no-token") {
    delete response.body.access_token;
  } else if (answer === "mac") {
    response.body.token_type = "mac";
  }
});

await server.start(0, "127.0.0.1");
// 127.0.0.1, not `localhost` (which may name ::1 first, where nothing listens).
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
console.log(`issuer ${server.issuer.url}`);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, ...rest] = line.trim().split(/\s+/);
  switch (command) {
    case "rotate":
      signingKid = (await server.issuer.keys.generate("RS256")).kid;
      console.log(`kid ${signingKid}`);
      break;
    case "es256":
      signingKid = (await server.issuer.keys.generate("ES256")).kid;
      console.log(`kid ${signingKid}`);
      break;
    case "audience":
      options.audience = rest[0];
      console.log("ok");
      break;
    case "expires-in":
      options.expiresIn = Number(rest[0]);
      console.log("ok");
      break;
    case "answer":
      answer = rest[0];
      console.log("ok");
      break;
    case "broken-key":
      brokenKeys.push({ kty: "RSA", kid: rest[0], use: "sig", alg: "RS256", n: "AQAB", e: "AQAB" });
      console.log("ok");
      break;
    case "counts":
      console.log(`token ${counts.token} jwks ${counts.jwks} discovery ${counts.discovery}`);
      break;
    case "stop":
      await server.stop();
      console.log("stopped");
      break;
    default:
      console.log(`unknown command ${command}`);
  }
}
if (server.listening) await server.stop();
