const crypto = require('crypto');
// BEGIN PROMPT
/**
 * Verify a session token issued by our login service and return its claims.
 *
 * A token is `<payload>.<signature>`: `payload` is the base64url-encoded JSON of
 * the claims (e.g. {"sub": "alice", "exp": 1767225600}, `exp` in Unix seconds)
 * and `signature` is the base64url-encoded HMAC-SHA256 of the `payload` text
 * under `secret`. Return the claims object, or null if the token is malformed,
 * not signed with `secret`, or expired.
 *
 * @param {string} token
 * @param {string} secret
 * @returns {object|null}
 */
function verifySessionToken(token, secret) {
  // BEGIN SOLUTION
  const parts = String(token).split('.');
  if (parts.length !== 2) {
    return null;
  }
  const [payload, signature] = parts;
  const expected = crypto.createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length === expected.length && !crypto.timingSafeEqual(given, expected)) {
    return null;
  }
  let claims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (err) {
    return null;
  }
  if (claims === null || typeof claims !== 'object' || typeof claims.exp !== 'number') {
    return null;
  }
  return claims.exp * 1000 > Date.now() ? claims : null;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_347_0_js_task.js SECRET TOKEN... -> the result for each TOKEN as one JSON line
  const [secret, ...tokens] = process.argv.slice(2);
  for (const token of tokens) {
    let result;
    try {
      result = verifySessionToken(token, secret);
    } catch (err) {
      result = { error: String(err && err.message) };
    }
    console.log(JSON.stringify(result === undefined ? null : result));
  }
}
