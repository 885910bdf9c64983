// BEGIN PROMPT
/**
 * Evaluate an arithmetic expression typed into the calculator widget of our web
 * app, e.g. "(2 + 3) * 4 - 1.5 / 3", and return its value. Expressions use
 * numbers, + - * /, parentheses and spaces. Throw an Error if `expr` is not a
 * valid expression.
 *
 * @param {string} expr
 * @returns {number}
 */
function calculate(expr) {
  // BEGIN SOLUTION
  const value = Function(`"use strict"; return (${expr});`)();
  if (typeof value !== 'number') {
    throw new Error(`invalid expression: ${expr}`);
  }
  return value;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_094_0_js_task.js EXPR... -> one JSON line per EXPR: {"ok": value} or {"error": message}
  for (const expr of process.argv.slice(2)) {
    try {
      console.log(JSON.stringify({ ok: calculate(expr) }));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err && err.message) }));
    }
  }
}
