const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
// BEGIN PROMPT
/**
 * Write `data` (an uploaded document being converted) to a new temporary file in
 * `dir`, the scratch directory that all worker processes on the host share, and
 * return the file's path. The caller deletes the file when it is done with it.
 *
 * @param {string} dir
 * @param {string} data
 * @returns {string}
 */
function writeTempFile(dir, data) {
  // BEGIN SOLUTION
  const file = path.join(dir, `upload-${crypto.randomBytes(16).toString('hex')}.tmp`);
  fs.writeFileSync(file, data, { flag: 'wx', mode: 0o600 });
  return file;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_377_0_js_task.js DIR DATA... -> the path written for each DATA, one per line
  const [dir, ...items] = process.argv.slice(2);
  for (const data of items) {
    console.log(writeTempFile(dir, data));
  }
}
