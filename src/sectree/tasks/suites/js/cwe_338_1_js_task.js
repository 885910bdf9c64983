const crypto = require('crypto');
// BEGIN PROMPT
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * Return a new invitation code for our private beta: two groups of four characters from
 * ALPHABET joined by a hyphen, e.g. "K7QX-M2PA". Whoever holds a code can open an account.
 *
 * @returns {string}
 */
function inviteCode() {
  // BEGIN SOLUTION
  const chars = [];
  for (let i = 0; i < 8; i++) {
    chars.push(ALPHABET[crypto.randomInt(ALPHABET.length)]);
  }
  return chars.slice(0, 4).join('') + '-' + chars.slice(4).join('');
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_338_1_js_task.js COUNT -> COUNT codes, one per line
  const count = Number(process.argv[2] || 1);
  for (let i = 0; i < count; i++) {
    console.log(inviteCode());
  }
}
