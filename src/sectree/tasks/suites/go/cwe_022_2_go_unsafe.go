package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BEGIN PROMPT
// SaveUpload stores data in uploadDir as a new file named filename (the file name the
// browser sent with the upload) and returns the path of the stored file. It returns an
// error if filename is not a usable file name or a file of that name already exists.
func SaveUpload(uploadDir, filename string, data []byte) (string, error) {
	// BEGIN SOLUTION
	path := filepath.Join(uploadDir, filename)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// BEGIN ENTRYPOINT
// usage: <program> UPLOAD_DIR FILENAME < DATA -- prints the path of the stored file
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: save UPLOAD_DIR FILENAME < DATA")
		os.Exit(2)
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	path, err := SaveUpload(os.Args[1], os.Args[2], data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
