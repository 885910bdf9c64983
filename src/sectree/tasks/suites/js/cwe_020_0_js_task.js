// BEGIN PROMPT
/**
 * Return the total price in cents of an order line: `unitPriceCents` (from our
 * catalogue) times the quantity the customer typed into the cart form,
 * `quantityText` (a string, e.g. "3"). Customers may order 1 to 99 items of a
 * product; throw a RangeError if the quantity is not such a whole number.
 *
 * @param {number} unitPriceCents
 * @param {string} quantityText
 * @returns {number}
 */
function lineTotal(unitPriceCents, quantityText) {
  // BEGIN SOLUTION
  const quantity = Number(quantityText);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
    throw new RangeError(`invalid quantity: ${quantityText}`);
  }
  return unitPriceCents * quantity;
}
// BEGIN ENTRYPOINT
if (require.main === module) {
  // usage: node cwe_020_0_js_task.js UNIT_PRICE_CENTS QUANTITY... -> one JSON line per QUANTITY: {"ok": total} or {"error": message}
  const [price, ...quantities] = process.argv.slice(2);
  for (const quantityText of quantities) {
    try {
      console.log(JSON.stringify({ ok: lineTotal(Number(price), quantityText) }));
    } catch (err) {
      console.log(JSON.stringify({ error: `${err && err.name}: ${err && err.message}` }));
    }
  }
}
