package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// BEGIN PROMPT
// CountLines returns the number of lines in each of the given files, keyed by file name,
// as counted by the system wc command (so the numbers match what our ops scripts report).
// It returns an error if wc fails, e.g. because one of the files does not exist.
func CountLines(files []string) (map[string]int, error) {
	// BEGIN SOLUTION
	counts := make(map[string]int, len(files))
	if len(files) == 0 {
		return counts, nil
	}
	args := append([]string{"-l", "--"}, files...)
	out, err := exec.Command("wc", args...).Output()
	if err != nil {
		return nil, err
	}
	// wc prints one line per file, in order, then a total line when given several files
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < len(files) {
		return nil, fmt.Errorf("unexpected wc output %q", out)
	}
	for i, file := range files {
		fields := strings.Fields(lines[i])
		if len(fields) == 0 {
			return nil, fmt.Errorf("unexpected wc output %q", lines[i])
		}
		n, err := strconv.Atoi(fields[0])
		if err != nil {
			return nil, fmt.Errorf("unexpected wc output %q", lines[i])
		}
		counts[file] = n
	}
	return counts, nil
}

// BEGIN ENTRYPOINT
// usage: <program> FILE... -- prints "COUNT<TAB>FILE" lines sorted by file name
func main() {
	counts, err := CountLines(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("%d\t%s\n", counts[name], name)
	}
}
