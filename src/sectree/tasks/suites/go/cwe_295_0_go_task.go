package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// BEGIN PROMPT
// NewInternalClient returns the HTTP client our services use to call each other over
// HTTPS. Their certificates are issued by the company CA, whose certificate is in the PEM
// file caFile. It returns an error if caFile cannot be read or holds no certificate.
func NewInternalClient(caFile string) (*http.Client, error) {
	// BEGIN SOLUTION
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no CA certificate in " + caFile)
	}
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}
	return &http.Client{Transport: transport, Timeout: 10 * time.Second}, nil
}

// BEGIN ENTRYPOINT
// usage: <program> CA_FILE URL -- GETs URL with the client and prints the response body
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: fetch CA_FILE URL")
		os.Exit(2)
	}
	client, err := NewInternalClient(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	resp, err := client.Get(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("%d %s", resp.StatusCode, body)
}
