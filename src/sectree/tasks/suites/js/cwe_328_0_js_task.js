const crypto = require('crypto');
// BEGIN PROMPT
/**
 * Hash a new user's `password` for storage in the users table and return the
 * string to store in the `password_hash` column.
 *
 * @param {string} password
 * @returns {string}
 */
function hashPassword(password) {
  // BEGIN SOLUTION
  const salt = crypto.randomBytes(16).toString('hex');
  const hash = crypto.scryptSync(password, salt, 64).toString('hex');
  return `${salt}:${hash}`;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_328_0_js_task.js PASSWORD... -> one JSON line per PASSWORD: {"hash": ..., "ms": time taken}
  for (const password of process.argv.slice(2)) {
    const start = process.hrtime.bigint();
    const hash = hashPassword(password);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ hash, ms }));
  }
}
