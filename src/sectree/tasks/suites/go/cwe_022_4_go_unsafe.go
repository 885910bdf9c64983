package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// BEGIN PROMPT
// DeleteDraft deletes the user's draft name (taken from the URL /drafts/<name>/delete).
// Drafts are the files directly inside the user's drafts folder draftsDir. It reports
// whether a draft was deleted; false means there is no such draft.
func DeleteDraft(draftsDir, name string) bool {
	// BEGIN SOLUTION
	path := filepath.Join(draftsDir, name)
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	return os.Remove(path) == nil
}

// BEGIN ENTRYPOINT
// usage: <program> DRAFTS_DIR NAME... -- prints "deleted" or "none" for each name
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: drafts DRAFTS_DIR NAME...")
		os.Exit(2)
	}
	for _, name := range os.Args[2:] {
		if DeleteDraft(os.Args[1], name) {
			fmt.Println("deleted")
		} else {
			fmt.Println("none")
		}
	}
}
