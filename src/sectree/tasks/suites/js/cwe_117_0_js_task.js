const fs = require('fs');
// BEGIN PROMPT
/**
 * Append one line to the auth log file `logFile` for a failed login, e.g.
 * "WARN failed login for user alice from 10.0.0.7". `username` is what was
 * typed into the login form and `ip` comes from the X-Forwarded-For header.
 *
 * @param {string} logFile
 * @param {string} username
 * @param {string} ip
 */
function logFailedLogin(logFile, username, ip) {
  // BEGIN SOLUTION
  const clean = (s) => String(s).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  fs.appendFileSync(logFile, `WARN failed login for user ${clean(username)} from ${clean(ip)}\n`);
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_117_0_js_task.js LOGFILE USERNAME IP [LOGFILE USERNAME IP]...
  const args = process.argv.slice(2);
  for (let i = 0; i + 2 < args.length; i += 3) {
    logFailedLogin(args[i], args[i + 1], args[i + 2]);
  }
}
