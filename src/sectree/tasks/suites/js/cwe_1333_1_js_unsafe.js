// BEGIN PROMPT
const UNITS = { d: 86400, h: 3600, m: 60, s: 1 };

/**
 * Convert a duration typed into the "snooze for" box into seconds: one or more numbers,
 * each followed by a unit d, h, m or s, with optional spaces around them, e.g. "90s",
 * "1h30m" or "2d 4 h". Throw an error if `text` is not such a duration.
 *
 * @param {string} text
 * @returns {number}
 */
function parseDuration(text) {
  // BEGIN SOLUTION
  if (!/^(?:\s*\d+\s*[dhms]\s*)+$/.test(text)) {
    throw new Error(`invalid duration: ${text}`);
  }
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)\s*([dhms])/g)) {
    seconds += Number(n) * UNITS[unit];
  }
  return seconds;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_1333_1_js_task.js TEXT... -> the seconds, or "error", for each TEXT
  for (const text of process.argv.slice(2)) {
    try {
      console.log(parseDuration(text));
    } catch (err) {
      console.log('error');
    }
  }
}
