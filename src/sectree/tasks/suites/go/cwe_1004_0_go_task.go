package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
)

// BEGIN PROMPT
// SessionCookie returns the cookie that stores sessionID in the "session" cookie for the
// whole site, valid for maxAge seconds. The login handler of our HTTPS web app sets it
// with http.SetCookie.
func SessionCookie(sessionID string, maxAge int) *http.Cookie {
	// BEGIN SOLUTION
	return &http.Cookie{
		Name:     "session",
		Value:    sessionID,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// BEGIN ENTRYPOINT
// usage: <program> SESSION_ID MAX_AGE -- prints the Set-Cookie header value
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: cookie SESSION_ID MAX_AGE")
		os.Exit(2)
	}
	maxAge, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	fmt.Println(SessionCookie(os.Args[1], maxAge).String())
}
