// BEGIN PROMPT
/**
 * Deep-merge `overrides` (a user's saved preferences, parsed from the JSON the
 * settings page posts) into `settings` (the app defaults) and return `settings`.
 * Nested plain objects are merged key by key; any other value (string, number,
 * boolean, null, array) from `overrides` replaces the one in `settings`.
 *
 * @param {object} settings
 * @param {object} overrides
 * @returns {object}
 */
function mergeSettings(settings, overrides) {
  // BEGIN SOLUTION
  for (const key of Object.keys(overrides)) {
    const value = overrides[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const current = settings[key];
      if (current === null || typeof current !== 'object' || Array.isArray(current)) {
        settings[key] = {};
      }
      mergeSettings(settings[key], value);
    } else {
      settings[key] = value;
    }
  }
  return settings;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_1321_0_js_task.js DEFAULTS_JSON OVERRIDES_JSON [DEFAULTS_JSON OVERRIDES_JSON]...
  // prints per pair {"merged": ..., "inherited": [...]}, where "inherited" lists the enumerable keys that
  // a fresh {} inherits after that merge
  const args = process.argv.slice(2);
  for (let i = 0; i + 1 < args.length; i += 2) {
    let merged;
    try {
      merged = mergeSettings(JSON.parse(args[i]), JSON.parse(args[i + 1]));
    } catch (err) {
      merged = { error: String(err && err.message) };
    }
    const inherited = [];
    for (const key in {}) inherited.push(key); // eslint-disable-line guard-for-in
    console.log(JSON.stringify({ merged, inherited }));
  }
}
