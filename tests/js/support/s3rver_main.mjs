#!/usr/bin/env node
// A local S3 server for tests: npm's s3rver with one bucket, plus the SigV4 check
// s3rver leaves out (it accepts any V4 signature): every request must be signed with
// the S3RVER/S3RVER key pair, in the Authorization header or in the query string
// (presigned URLs, which also expire). So a wrong secret, a tampered URL or an expired
// one is refused as AWS S3 refuses it (403 SignatureDoesNotMatch / AccessDenied).
//   node s3rver_main.mjs --directory DIR --port PORT --bucket NAME
// Prints "s3rver ready on PORT" once it listens. Ends on SIGTERM.
import { createHash, createHmac } from 'node:crypto';
import S3rver from 's3rver';

export const ACCESS_KEY_ID = 'S3RVER';
export const SECRET_ACCESS_KEY = 'S3RVER';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const hmac = (key, text) => createHmac('sha256', key).update(text).digest();
// RFC 3986: what SigV4 wants in canonical query strings.
const encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function signature(secret, scope, amzDate, canonicalRequest) {
  const [date, region, service] = scope.split('/');
  let key = hmac(`AWS4${secret}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, 'aws4_request');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function canonicalRequest(req, rawPath, params, signedHeaders, payloadHash) {
  const query = params
    .map(([name, value]) => [encode(name), encode(value)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = signedHeaders
    .map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [req.method, rawPath, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

// undefined when the request is properly signed, else [status, code, message].
function refusal(req) {
  const [rawPath, rawQuery = ''] = req.url.split('?', 2);
  const params = new URLSearchParams(rawQuery);
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth);
    if (!match) return [400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.'];
    const [keyId, ...scopeParts] = match[1].split('/');
    if (keyId !== ACCESS_KEY_ID) return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (!payloadHash) return [400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'];
    const request = canonicalRequest(req, rawPath, [...params.entries()], match[2].split(';'), payloadHash);
    const expected = signature(SECRET_ACCESS_KEY, scopeParts.join('/'), req.headers['x-amz-date'], request);
    if (expected !== match[3]) {
      return [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
    }
    return undefined;
  }
  if (params.has('X-Amz-Signature')) {
    const [keyId, ...scopeParts] = (params.get('X-Amz-Credential') || '').split('/');
    if (keyId !== ACCESS_KEY_ID) return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
    const given = params.get('X-Amz-Signature');
    const rest = [...params.entries()].filter(([name]) => name !== 'X-Amz-Signature');
    const signed = (params.get('X-Amz-SignedHeaders') || 'host').split(';');
    const request = canonicalRequest(req, rawPath, rest, signed, 'UNSIGNED-PAYLOAD');
    const expected = signature(SECRET_ACCESS_KEY, scopeParts.join('/'), params.get('X-Amz-Date'), request);
    if (expected !== given) {
      return [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
    }
    const d = params.get('X-Amz-Date') || '';
    const signedAt = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));
    if (Date.now() > signedAt + Number(params.get('X-Amz-Expires')) * 1000) return [403, 'AccessDenied', 'Request has expired'];
    return undefined;
  }
  return [403, 'AccessDenied', 'Access Denied'];
}

const directory = option('directory');
const bucket = option('bucket', 'genq');
const port = Number(option('port', '0'));
if (!directory) {
  console.error('usage: s3rver_main.mjs --directory DIR [--port PORT] [--bucket NAME]');
  process.exit(2);
}
const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: bucket }] });
server.middleware.unshift(async (ctx, next) => {
  const refused = refusal(ctx.req);
  if (!refused) return next();
  const [status, code, message] = refused;
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return undefined;
});
const address = await server.run();
console.log(`s3rver ready on ${address.port}`);
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
