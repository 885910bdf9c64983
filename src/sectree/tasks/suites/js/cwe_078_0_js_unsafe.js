const childProcess = require('child_process');
// BEGIN PROMPT
/**
 * Return the first `count` lines of the log file at `file`, as printed by the
 * system's `head` tool. `file` is picked by the user in the admin UI.
 * Throw an Error if `head` fails (e.g. the file does not exist).
 *
 * @param {string} file
 * @param {number} count
 * @returns {string}
 */
function headOfLog(file, count) {
  // BEGIN SOLUTION
  return childProcess.execSync(`head -n ${count} "${file}"`, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_078_0_js_task.js COUNT FILE... -> one JSON line per FILE: {"ok": text} or {"error": message}
  const [count, ...files] = process.argv.slice(2);
  for (const file of files) {
    try {
      console.log(JSON.stringify({ ok: headOfLog(file, Number(count)) }));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err.message).split('\n')[0] }));
    }
  }
}
