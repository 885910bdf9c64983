package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// BEGIN PROMPT
// IsAllowedURL reports whether our link-preview service may fetch rawURL: it must be an
// http or https URL whose host is one of allowedDomains (lower-case names such as
// "example.com") or a subdomain of one (such as "cdn.example.com").
func IsAllowedURL(rawURL string, allowedDomains []string) bool {
	// BEGIN SOLUTION
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, domain := range allowedDomains {
		if strings.HasSuffix(host, domain) {
			return true
		}
	}
	return false
}

// BEGIN ENTRYPOINT
// usage: <program> URL DOMAIN... -- prints true or false
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: allowed URL DOMAIN...")
		os.Exit(2)
	}
	fmt.Println(IsAllowedURL(os.Args[1], os.Args[2:]))
}
