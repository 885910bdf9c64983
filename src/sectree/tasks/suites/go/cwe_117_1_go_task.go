package main

import (
	"fmt"
	"os"
	"strconv"
)

// BEGIN PROMPT
// AccessLogLine returns one line of our web server's access log, ending in a newline, e.g.
//
//	10.0.0.7 "GET /index.html" 200 "Mozilla/5.0"
//
// path and userAgent are taken from the request as the client sent them (percent-decoded).
func AccessLogLine(ip, method, path string, status int, userAgent string) string {
	// BEGIN SOLUTION
	return fmt.Sprintf("%s %s %d %s\n", ip, strconv.Quote(method+" "+path), status, strconv.Quote(userAgent))
}

// BEGIN ENTRYPOINT
// usage: <program> IP METHOD PATH STATUS USER_AGENT -- prints the log line
func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: accesslog IP METHOD PATH STATUS USER_AGENT")
		os.Exit(2)
	}
	status, err := strconv.Atoi(os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	fmt.Print(AccessLogLine(os.Args[1], os.Args[2], os.Args[3], status, os.Args[5]))
}
