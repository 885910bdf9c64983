const fs = require('fs');
const zlib = require('zlib');
// BEGIN PROMPT
/**
 * Decompress a gzip-encoded request body (`Content-Encoding: gzip`) and return
 * it. Throw an Error if the decompressed body would be larger than `maxBytes`
 * bytes, or if `data` is not valid gzip.
 *
 * @param {Buffer} data
 * @param {number} maxBytes
 * @returns {Buffer}
 */
function decompressBody(data, maxBytes) {
  // BEGIN SOLUTION
  return zlib.gunzipSync(data, { maxOutputLength: maxBytes });
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_400_0_js_task.js MAX_BYTES FILE... -> one JSON line per FILE:
  // {"ok": {"length": n, "sha256": hex}} or {"error": message}; then the peak RSS in KiB on stderr
  const crypto = require('crypto');
  const [maxBytes, ...files] = process.argv.slice(2);
  for (const file of files) {
    try {
      const body = decompressBody(fs.readFileSync(file), Number(maxBytes));
      const sha256 = crypto.createHash('sha256').update(body).digest('hex');
      console.log(JSON.stringify({ ok: { length: body.length, sha256 } }));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err && err.message) }));
    }
  }
  console.error(`maxrss_kib ${process.resourceUsage().maxRSS}`);
}
