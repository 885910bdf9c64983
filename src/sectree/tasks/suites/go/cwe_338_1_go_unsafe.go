package main

import (
	"fmt"
	"hash/crc32"
	"math/rand"
	"os"
	"strconv"
)

// BEGIN PROMPT
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewAPIKey returns a new secret API key for a customer account, in the form
// "<prefix>_<30 random base62 characters><6-character checksum>". The checksum is the
// CRC-32 (IEEE) of the 30 random characters written as a base62 number, padded with
// leading "0" to 6 characters; it lets clients and leaked-key scanners recognise a
// mistyped key without a database lookup.
func NewAPIKey(prefix string) string {
	// BEGIN SOLUTION
	body := make([]byte, 30)
	for i := range body {
		body[i] = base62[rand.Intn(len(base62))]
	}
	sum := crc32.ChecksumIEEE(body)
	check := make([]byte, 6)
	for i := len(check) - 1; i >= 0; i-- {
		check[i] = base62[sum%62]
		sum /= 62
	}
	return prefix + "_" + string(body) + string(check)
}

// BEGIN ENTRYPOINT
// usage: <program> PREFIX [COUNT] -- prints COUNT (default 1) new keys, one per line
func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: apikey PREFIX [COUNT]")
		os.Exit(2)
	}
	count := 1
	if len(os.Args) == 3 {
		var err error
		if count, err = strconv.Atoi(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(2)
		}
	}
	for i := 0; i < count; i++ {
		fmt.Println(NewAPIKey(os.Args[1]))
	}
}
