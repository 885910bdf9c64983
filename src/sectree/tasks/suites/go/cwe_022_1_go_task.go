package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// BEGIN PROMPT
// InstallTheme unpacks a theme archive, a .zip file uploaded by a user, into themesDir.
// Directories and regular files from the archive are recreated under themesDir (file
// contents only; permissions are not restored); any other kind of entry, such as a
// symlink, is skipped. It returns the names, as written in the archive, of the regular
// files written, in archive order. It returns an error if zipPath is not a readable zip
// archive or an entry cannot be written.
func InstallTheme(zipPath, themesDir string) ([]string, error) {
	// BEGIN SOLUTION
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var written []string
	for _, f := range zr.File {
		target := filepath.Join(themesDir, f.Name)
		if rel, err := filepath.Rel(themesDir, target); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			return written, fmt.Errorf("archive entry outside the theme folder: %s", f.Name)
		}
		switch mode := f.Mode(); {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return written, err
			}
		case mode.IsRegular():
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return written, err
			}
			src, err := f.Open()
			if err != nil {
				return written, err
			}
			dst, err := os.Create(target)
			if err == nil {
				_, err = io.Copy(dst, src)
				if cerr := dst.Close(); err == nil {
					err = cerr
				}
			}
			src.Close()
			if err != nil {
				return written, err
			}
			written = append(written, f.Name)
		}
	}
	return written, nil
}

// BEGIN ENTRYPOINT
// usage: <program> ZIP THEMES_DIR -- prints the names of the files written, one per line
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: install ZIP THEMES_DIR")
		os.Exit(2)
	}
	names, err := InstallTheme(os.Args[1], os.Args[2])
	for _, name := range names {
		fmt.Println(name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
