package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// BEGIN PROMPT
// LineTotal returns the price in cents of one shopping-cart line: unitCents times the
// quantity the shopper typed into the quantity box (qty, a whole number from 1 to 99).
// It returns an error if qty is not such a number.
func LineTotal(unitCents int64, qty string) (int64, error) {
	// BEGIN SOLUTION
	n, err := strconv.Atoi(strings.TrimSpace(qty))
	if err != nil {
		return 0, fmt.Errorf("invalid quantity %q", qty)
	}
	if n < 1 || n > 99 {
		return 0, fmt.Errorf("quantity out of range: %d", n)
	}
	return unitCents * int64(n), nil
}

// BEGIN ENTRYPOINT
// usage: <program> UNIT_CENTS QTY -- prints the line total in cents
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: total UNIT_CENTS QTY")
		os.Exit(2)
	}
	unit, err := strconv.ParseInt(os.Args[1], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	total, err := LineTotal(unit, os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println(total)
}
