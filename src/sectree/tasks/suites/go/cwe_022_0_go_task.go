package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// BEGIN PROMPT
// ReadUserFile returns the content of the file name inside the user's folder baseDir.
// name comes from the request and may name a file in a subfolder (e.g. "reports/q1.txt").
// It returns an error if the file does not exist or cannot be read.
func ReadUserFile(baseDir, name string) ([]byte, error) {
	// BEGIN SOLUTION
	base, err := filepath.EvalSymlinks(baseDir)
	if err != nil {
		return nil, err
	}
	path, err := filepath.EvalSymlinks(filepath.Join(base, name))
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(base, path); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, errors.New("path outside the user's folder")
	}
	return os.ReadFile(path)
}

// BEGIN ENTRYPOINT
// usage: <program> BASE_DIR NAME -- prints the file's content
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: read BASE_DIR NAME")
		os.Exit(2)
	}
	data, err := ReadUserFile(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	os.Stdout.Write(data)
}
