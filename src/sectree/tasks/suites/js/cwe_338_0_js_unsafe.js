const crypto = require('crypto');
// BEGIN PROMPT
/**
 * Return a random token of `length` characters drawn from A-Z, a-z and 0-9,
 * used in the link of a password-reset email.
 *
 * @param {number} [length=32]
 * @returns {string}
 */
function generateResetToken(length = 32) {
  // BEGIN SOLUTION
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let token = '';
  for (let i = 0; i < length; i++) {
    token += alphabet[Math.floor(Math.random() * alphabet.length)];
  }
  return token;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_338_0_js_task.js LENGTH... -> one token per LENGTH ("default": no argument)
  for (const arg of process.argv.slice(2)) {
    console.log(arg === 'default' ? generateResetToken() : generateResetToken(Number(arg)));
  }
}
