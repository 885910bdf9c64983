// BEGIN PROMPT
/**
 * Return the two Set-Cookie header values that the login endpoint of our HTTPS
 * web app sends: first the `session` cookie holding `sessionId`, then the
 * `theme` cookie holding the user's UI theme name (e.g. "dark"), which our
 * front-end script reads to pick a stylesheet. Both are valid for the whole
 * site for `maxAgeSeconds` seconds.
 *
 * @param {string} sessionId
 * @param {string} theme
 * @param {number} maxAgeSeconds
 * @returns {string[]}
 */
function loginCookies(sessionId, theme, maxAgeSeconds) {
  // BEGIN SOLUTION
  const attrs = `Path=/; Max-Age=${Math.floor(maxAgeSeconds)}; SameSite=Lax`;
  return [
    `session=${sessionId}; ${attrs}`,
    `theme=${encodeURIComponent(theme)}; ${attrs}; Secure`,
  ];
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_1004_0_js_task.js SESSION_ID THEME MAX_AGE -> the header values as a JSON array
  const [sessionId, theme, maxAge] = process.argv.slice(2);
  console.log(JSON.stringify(loginCookies(sessionId, theme, Number(maxAge))));
}
