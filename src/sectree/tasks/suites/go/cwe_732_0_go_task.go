package main

import (
	"fmt"
	"os"
)

// BEGIN PROMPT
// SaveAPIKey stores the user's API key in the credentials file at path, creating the file
// or replacing its contents. The file holds just the key and a newline.
func SaveAPIKey(path, apiKey string) error {
	// BEGIN SOLUTION
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(apiKey + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// BEGIN ENTRYPOINT
// usage: <program> PATH API_KEY
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: save PATH API_KEY")
		os.Exit(2)
	}
	if err := SaveAPIKey(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
