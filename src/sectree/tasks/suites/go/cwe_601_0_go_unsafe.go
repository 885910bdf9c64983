package main

import (
	"fmt"
	"os"
	"strings"
)

// BEGIN PROMPT
// AfterLoginRedirect returns where to send the user once they have signed in: next (the
// "next" query parameter of the login page) if it is a path on this site such as
// "/account/orders?page=2", and "/" otherwise.
func AfterLoginRedirect(next string) string {
	// BEGIN SOLUTION
	if !strings.HasPrefix(next, "/") {
		return "/"
	}
	return next
}

// BEGIN ENTRYPOINT
// usage: <program> NEXT -- prints the redirect target
func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: redirect NEXT")
		os.Exit(2)
	}
	fmt.Println(AfterLoginRedirect(os.Args[1]))
}
