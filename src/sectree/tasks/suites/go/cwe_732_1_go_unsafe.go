package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BEGIN PROMPT
// WriteBackup writes the nightly database dump (it holds every customer's data) to the file
// path, replacing the previous backup atomically: a reader sees either the old backup or the
// complete new one. A temporary file in the same folder may be used.
func WriteBackup(path string, dump []byte) error {
	// BEGIN SOLUTION
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0644)
	if err != nil {
		return err
	}
	if _, err := f.Write(dump); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// BEGIN ENTRYPOINT
// usage: <program> PATH < DUMP -- writes the dump read from stdin as the backup at PATH
func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: backup PATH < DUMP")
		os.Exit(2)
	}
	dump, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = WriteBackup(os.Args[1], dump)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
