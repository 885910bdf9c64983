package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
)

// BEGIN PROMPT
// WriteTempFile writes data to a new temporary file in dir (the scratch directory that all
// worker processes share) and returns the file's path. The caller removes the file when it
// is done with it.
func WriteTempFile(dir string, data []byte) (string, error) {
	// BEGIN SOLUTION
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("upload-%d.tmp", rand.Int())))
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

// BEGIN ENTRYPOINT
// usage: <program> DIR DATA -- prints the path of the file written
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tmpfile DIR DATA")
		os.Exit(2)
	}
	path, err := WriteTempFile(os.Args[1], []byte(os.Args[2]))
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
