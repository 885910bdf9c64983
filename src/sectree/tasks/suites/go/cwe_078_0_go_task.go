package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// BEGIN PROMPT
// ListArchive returns the names of the entries in the archive file at path, in archive
// order, as listed by the system tar command (which recognizes gzip, bzip2 and xz
// compression by itself). It returns an error if tar cannot read the archive.
func ListArchive(path string) ([]string, error) {
	// BEGIN SOLUTION
	out, err := exec.Command("tar", "-tf", path).Output()
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"), nil
}

// BEGIN ENTRYPOINT
// usage: <program> ARCHIVE -- prints one entry name per line
func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: list ARCHIVE")
		os.Exit(2)
	}
	names, err := ListArchive(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	for _, name := range names {
		fmt.Println(name)
	}
}
