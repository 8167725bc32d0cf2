// A real relying party for Portcullis's OpenID Connect provider, built on `openid-client` (the
// certified RP library), so that the end-to-end tests (tests/web/oidc_rp.rs) check the provider
// against code we did not write. It acts as a small web application: /login sends the browser
// to the provider, /callback exchanges the code and lets the library validate the ID token
// (signature against the JWKS, iss, aud, nonce, auth_time), and further pages use the tokens.
// Every page answers JSON (or shows it in <pre id="result">), never a stack trace.
//
// It listens on 127.0.0.1 on a free port (PORT to choose one) and prints
// `rp listening on http://127.0.0.1:PORT` first. The client comes from the environment
// (ISSUER, CLIENT_ID, CLIENT_SECRET, TOKEN_AUTH=basic|post|none) or, because a test creates the
// client only once it knows the RP's port, from `POST /configure` with the same fields in JSON.
// Nothing is kept across restarts; the RP holds one person's tokens at a time (a test's).

import http from 'node:http';
import * as client from 'openid-client';

let rp = null; // { config, issuer, clientId, secret, auth }
const flows = new Map(); // state -> what /login decided, until its callback
let tokens = null; // the current tokens and claims
let previousRefreshToken = null;
let lastCallback = null; // { url, flow } of the last callback, for /replay-code
let lastResult = null;

function clientAuth(auth, secret) {
  switch (auth) {
    case 'none':
      return client.None();
    case 'post':
      return client.ClientSecretPost(secret);
    default:
      return client.ClientSecretBasic(secret);
  }
}

async function configure({ issuer, client_id, client_secret, token_auth }) {
  const auth = token_auth || (client_secret ? 'basic' : 'none');
  const url = new URL(issuer);
  // openid-client v6 refuses plain http unless told; the tests' provider is on 127.0.0.1.
  const execute = url.protocol === 'http:' ? [client.allowInsecureRequests] : [];
  const config = await client.discovery(
    url,
    client_id,
    undefined,
    clientAuth(auth, client_secret),
    { execute },
  );
  rp = { config, issuer, clientId: client_id, secret: client_secret, auth };
  return { issuer: config.serverMetadata().issuer, metadata: config.serverMetadata() };
}

// The same client with another secret: what a misconfigured RP would send.
function withSecret(secret) {
  const config = new client.Configuration(
    rp.config.serverMetadata(),
    rp.clientId,
    undefined,
    clientAuth(rp.auth === 'none' ? 'basic' : rp.auth, secret),
  );
  if (new URL(rp.issuer).protocol === 'http:') client.allowInsecureRequests(config);
  return config;
}

// What went wrong, as the library says it: its code, the provider's OAuth error (from the body,
// or from a WWW-Authenticate challenge on a 401), and for a failed ID token check the claim.
async function failure(err) {
  const challenge = Array.isArray(err?.cause) ? err.cause[0]?.parameters : undefined;
  const inner = err?.cause instanceof Error ? err.cause : undefined;
  // A 401 with a challenge but no error in it (`Basic realm=…`) has the error in its body.
  const body = challenge && !challenge.error ? await err.response?.json().catch(() => undefined) : undefined;
  return {
    ok: false,
    name: err?.name,
    code: err?.code,
    error: err?.error ?? challenge?.error ?? body?.error ?? inner?.error,
    error_description: err?.error_description ?? challenge?.error_description ?? body?.error_description,
    status: err?.status ?? inner?.status,
    message: String(err?.message ?? err),
    cause: inner ? String(inner.message) : undefined,
    claim: inner?.cause?.claim,
  };
}

function tokenResult(set) {
  return {
    ok: true,
    access_token: set.access_token,
    refresh_token: set.refresh_token ?? null,
    id_token: set.id_token ?? null,
    token_type: set.token_type,
    expires_in: set.expires_in ?? null,
    scope: set.scope ?? null,
    claims: set.claims() ?? null,
    // The library checked the signature; the header says with which algorithm.
    id_token_alg: set.id_token
      ? JSON.parse(Buffer.from(set.id_token.split('.')[0], 'base64url').toString()).alg
      : null,
  };
}

// GET /login?scope=&acr_values=&prompt=&max_age=&login_hint=  (the authorization request), and
// the deliberate mistakes the negative tests need: pkce=missing|wrong, nonce=mismatch,
// redirect_uri=URI (one the client did not register), client_secret=WRONG (at the token endpoint).
async function login(query, self) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: query.get('redirect_uri') || `${self}/callback`,
    scope: query.get('scope') || 'openid profile email',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  for (const name of ['acr_values', 'prompt', 'max_age', 'login_hint']) {
    if (query.has(name)) params[name] = query.get(name);
  }
  if (query.get('pkce') === 'absent') {
    delete params.code_challenge;
    delete params.code_challenge_method;
  }
  const pkce = query.get('pkce');
  flows.set(state, {
    verifier: pkce === 'wrong' ? client.randomPKCECodeVerifier() : pkce ? undefined : verifier,
    nonce: query.get('nonce') === 'mismatch' ? client.randomNonce() : nonce,
    maxAge: query.has('max_age') ? Number(query.get('max_age')) : undefined,
    secret: query.get('client_secret'),
  });
  return client.buildAuthorizationUrl(rp.config, params).href;
}

async function exchange(url, flow) {
  const config = flow.secret ? withSecret(flow.secret) : rp.config;
  const checks = {
    pkceCodeVerifier: flow.verifier,
    expectedState: new URL(url).searchParams.get('state'),
    expectedNonce: flow.nonce,
    idTokenExpected: true,
    maxAge: flow.maxAge,
  };
  try {
    return tokenResult(await client.authorizationCodeGrant(config, new URL(url), checks));
  } catch (err) {
    return await failure(err);
  }
}

async function callback(url) {
  const state = url.searchParams.get('state');
  const flow = flows.get(state);
  if (!flow) return { ok: false, message: `no authorization request with state ${state}` };
  flows.delete(state);
  lastCallback = { url: url.href, flow };
  const result = await exchange(url.href, flow);
  if (result.ok) {
    tokens = result;
    previousRefreshToken = null;
  }
  return result;
}

async function refresh(which) {
  const token = which === 'previous' ? previousRefreshToken : tokens?.refresh_token;
  if (!token) return { ok: false, message: `no ${which || 'current'} refresh token` };
  try {
    const set = await client.refreshTokenGrant(rp.config, token);
    const result = tokenResult(set);
    if (which !== 'previous') {
      previousRefreshToken = token;
      tokens = { ...result, claims: result.claims ?? tokens.claims };
    }
    return result;
  } catch (err) {
    return await failure(err);
  }
}

function tokenOf(kind, which) {
  if (kind === 'refresh') return which === 'previous' ? previousRefreshToken : tokens?.refresh_token;
  return tokens?.access_token;
}

async function route(req, self) {
  const url = new URL(req.url, self);
  const q = url.searchParams;
  switch (url.pathname) {
    case '/configure': {
      const body = JSON.parse(await read(req));
      try {
        return { json: { ok: true, ...(await configure(body)) } };
      } catch (err) {
        return { json: await failure(err) };
      }
    }
    case '/login':
      return { redirect: await login(q, self) };
    case '/callback':
      lastResult = await callback(url);
      return { redirect: '/result' };
    case '/result':
      return { page: lastResult };
    case '/result.json':
      return { json: lastResult };
    case '/replay-code':
      if (!lastCallback) return { json: { ok: false, message: 'no callback yet' } };
      return { json: await exchange(lastCallback.url, lastCallback.flow) };
    case '/userinfo':
      try {
        const sub = tokens?.claims?.sub ?? client.skipSubjectCheck;
        return { json: { ok: true, userinfo: await client.fetchUserInfo(rp.config, tokens?.access_token, sub) } };
      } catch (err) {
        return { json: await failure(err) };
      }
    case '/refresh':
      return { json: await refresh(q.get('use')) };
    case '/revoke':
      try {
        const kind = q.get('token') || 'access';
        await client.tokenRevocation(rp.config, tokenOf(kind, q.get('use')), {
          token_type_hint: kind === 'refresh' ? 'refresh_token' : 'access_token',
        });
        return { json: { ok: true } };
      } catch (err) {
        return { json: await failure(err) };
      }
    case '/introspect':
      try {
        const token = tokenOf(q.get('token') || 'access', q.get('use'));
        return { json: { ok: true, introspection: await client.tokenIntrospection(rp.config, token) } };
      } catch (err) {
        return { json: await failure(err) };
      }
    case '/logout': {
      // RP-initiated logout: the provider ends its session and comes back to /logged-out.
      const params = { post_logout_redirect_uri: `${self}/logged-out`, state: client.randomState() };
      if (tokens?.id_token) params.id_token_hint = tokens.id_token;
      return { redirect: client.buildEndSessionUrl(rp.config, params).href };
    }
    case '/logged-out':
      tokens = null;
      lastResult = { ok: true, logged_out: true, state: q.get('state') };
      return { page: lastResult };
    default:
      return { status: 404, json: { ok: false, message: 'not found' } };
  }
}

function read(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function escape(text) {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
}

const server = http.createServer(async (req, res) => {
  const self = `http://127.0.0.1:${server.address().port}`;
  let answer;
  try {
    if (!rp && !['/configure', '/logged-out'].includes(new URL(req.url, self).pathname)) {
      answer = { status: 409, json: { ok: false, message: 'not configured: POST /configure first' } };
    } else {
      answer = await route(req, self);
    }
  } catch (err) {
    answer = { status: 500, json: await failure(err) };
  }
  if (answer.redirect) {
    res.writeHead(302, { Location: answer.redirect });
    res.end();
  } else if ('page' in answer) {
    const json = JSON.stringify(answer.page ?? null, null, 2);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>RP result</title><pre id="result">${escape(json)}</pre>`);
  } else {
    res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer.json));
  }
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', async () => {
  if (process.env.ISSUER && process.env.CLIENT_ID) {
    await configure({
      issuer: process.env.ISSUER,
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      token_auth: process.env.TOKEN_AUTH,
    });
  }
  console.log(`rp listening on http://127.0.0.1:${server.address().port}`);
});
