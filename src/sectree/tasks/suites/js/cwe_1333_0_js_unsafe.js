// BEGIN PROMPT
/**
 * Return true if `slug` (from the "new article" form) is a valid URL slug: one
 * or more words of lowercase letters and digits, separated by single hyphens,
 * e.g. "how-to-cook-2-eggs". No leading, trailing or doubled hyphens.
 *
 * @param {string} slug
 * @returns {boolean}
 */
function isValidSlug(slug) {
  // BEGIN SOLUTION
  return /^([a-z0-9]+-?)*[a-z0-9]$/.test(slug);
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_1333_0_js_task.js SLUG... -> "true" or "false" per SLUG, one per line
  for (const slug of process.argv.slice(2)) {
    console.log(String(isValidSlug(slug)));
  }
}
