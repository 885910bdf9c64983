// BEGIN PROMPT
/**
 * Return the HTML for one comment in the comment list of a blog post:
 * `<div class="comment" title="Comment by AUTHOR"><p>TEXT</p></div>`, where AUTHOR
 * and TEXT are the display name and comment text that a visitor entered.
 *
 * @param {string} author
 * @param {string} text
 * @returns {string}
 */
function renderComment(author, text) {
  // BEGIN SOLUTION
  const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
  const escape = (s) => String(s).replace(/[&<>]/g, (c) => entities[c]);
  return `<div class="comment" title="Comment by ${escape(author)}"><p>${escape(text)}</p></div>`;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_079_0_js_task.js AUTHOR TEXT [AUTHOR TEXT]... -> one JSON string per pair
  const args = process.argv.slice(2);
  for (let i = 0; i + 1 < args.length; i += 2) {
    console.log(JSON.stringify(renderComment(args[i], args[i + 1])));
  }
}
