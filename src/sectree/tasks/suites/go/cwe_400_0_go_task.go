package main

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// BEGIN PROMPT
// DecompressBody reads a gzip-encoded request body (Content-Encoding: gzip) from r and
// returns the decompressed bytes. It returns an error if the data is not valid gzip or if
// the decompressed body is larger than maxSize bytes.
func DecompressBody(r io.Reader, maxSize int64) ([]byte, error) {
	// BEGIN SOLUTION
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	body, err := io.ReadAll(io.LimitReader(zr, maxSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxSize {
		return nil, errors.New("request body too large")
	}
	return body, nil
}

// BEGIN ENTRYPOINT
// usage: <program> FILE MAX_SIZE -- decompresses FILE and prints the body
func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gunzip FILE MAX_SIZE")
		os.Exit(2)
	}
	maxSize, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
	defer f.Close()
	body, err := DecompressBody(f, maxSize)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	os.Stdout.Write(body)
}
