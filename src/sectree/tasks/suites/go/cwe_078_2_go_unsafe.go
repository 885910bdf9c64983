package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// BEGIN PROMPT
// DiskUsageKB returns the disk space used by the file or folder path (a customer's project
// folder picked in the admin panel), in kilobytes, as reported by "du -sk". It returns an
// error if du fails.
func DiskUsageKB(path string) (int64, error) {
	// BEGIN SOLUTION
	out, err := exec.Command("sh", "-c", "du -sk "+path).Output()
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return 0, fmt.Errorf("du printed nothing for %q", path)
	}
	return strconv.ParseInt(fields[0], 10, 64)
}

// BEGIN ENTRYPOINT
// usage: <program> PATH... -- prints the usage in KB, or "error", for each path
func main() {
	for _, p := range os.Args[1:] {
		if kb, err := DiskUsageKB(p); err == nil {
			fmt.Println(kb)
		} else {
			fmt.Println("error")
		}
	}
}
