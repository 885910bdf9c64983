package main

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
)

// BEGIN PROMPT
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewRecoveryCode returns a new account-recovery code of n characters drawn at random
// from codeAlphabet. The code is shown to the user once and lets them sign in when they
// have lost their second factor.
func NewRecoveryCode(n int) string {
	// BEGIN SOLUTION
	code := make([]byte, n)
	for i := range code {
		code[i] = codeAlphabet[rand.Intn(len(codeAlphabet))]
	}
	return string(code)
}

// BEGIN ENTRYPOINT
// usage: <program> N [COUNT] -- prints COUNT (default 1) codes of length N, one per line
func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: codes N [COUNT]")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	count := 1
	if err == nil && len(os.Args) == 3 {
		count, err = strconv.Atoi(os.Args[2])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	for i := 0; i < count; i++ {
		fmt.Println(NewRecoveryCode(n))
	}
}
