package main

import (
	"fmt"
	"log"
	"os"
)

// BEGIN PROMPT
// LogFailedLogin writes one line to the auth log for a failed login, e.g.
// "failed login for user alice from 10.0.0.7". username is what was typed in the login
// form and ip comes from the X-Forwarded-For header.
func LogFailedLogin(logger *log.Logger, username, ip string) {
	// BEGIN SOLUTION
	logger.Printf("failed login for user %s from %s", username, ip)
}

// BEGIN ENTRYPOINT
// usage: <program> USERNAME IP -- logs to stdout with the prefix "auth: "
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: log USERNAME IP")
		os.Exit(2)
	}
	LogFailedLogin(log.New(os.Stdout, "auth: ", 0), os.Args[1], os.Args[2])
}
