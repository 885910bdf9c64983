// BEGIN PROMPT
/**
 * Build the raw HTTP/1.1 response our tiny socket-based server sends to redirect
 * the browser to `location`, the `returnTo` query parameter of the request
 * (e.g. "/cart?step=2"): status line "HTTP/1.1 302 Found", then the headers
 * `Location`, `Content-Length: 0` and `Connection: close`, and an empty body.
 * Lines end with CRLF.
 *
 * @param {string} location
 * @returns {string}
 */
function redirectResponse(location) {
  // BEGIN SOLUTION
  const value = String(location);
  return [
    'HTTP/1.1 302 Found',
    `Location: ${value}`,
    'Content-Length: 0',
    'Connection: close',
    '',
    '',
  ].join('\r\n');
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_113_0_js_task.js LOCATION... -> one JSON line per LOCATION: {"ok": response} or {"error": message}
  for (const location of process.argv.slice(2)) {
    try {
      console.log(JSON.stringify({ ok: redirectResponse(location) }));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err && err.message) }));
    }
  }
}
