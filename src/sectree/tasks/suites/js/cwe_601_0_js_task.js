// BEGIN PROMPT
/**
 * Return where to send the browser after a successful login. `next` is the
 * `?next=` query parameter of the login page and should be a path on our own
 * site, e.g. "/account/settings?tab=2"; if it is not, return "/".
 *
 * @param {string} next
 * @returns {string}
 */
function loginRedirectTarget(next) {
  // BEGIN SOLUTION
  if (typeof next !== 'string' || !next.startsWith('/')) {
    return '/';
  }
  const base = new URL('https://app.invalid/');
  if (new URL(next, base).origin !== base.origin) {
    return '/';
  }
  return next;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_601_0_js_task.js NEXT... -> one JSON string per NEXT
  for (const next of process.argv.slice(2)) {
    console.log(JSON.stringify(loginRedirectTarget(next)));
  }
}
