package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// BEGIN PROMPT
// StaticFilePath maps the path of a request for a static asset (such as "/css/site.css", as
// it appears in the URL after percent-decoding) to the file in the folder root that should be
// sent back. It returns that file's path and true, or "" and false if there is no such
// regular file.
func StaticFilePath(root, urlPath string) (string, bool) {
	// BEGIN SOLUTION
	path := filepath.Join(root, filepath.Clean("/"+urlPath))
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return "", false
	}
	return path, true
}

// BEGIN ENTRYPOINT
// usage: <program> ROOT URL_PATH... -- prints the file's path, or "-", for each URL path
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: static ROOT URL_PATH...")
		os.Exit(2)
	}
	for _, p := range os.Args[2:] {
		if path, ok := StaticFilePath(os.Args[1], p); ok {
			fmt.Println(path)
		} else {
			fmt.Println("-")
		}
	}
}
