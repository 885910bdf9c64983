package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// BEGIN PROMPT
// WriteDownloadResponse writes to w (the client connection) a complete HTTP/1.1 response
// that makes the browser save body as a file named filename, the name the user gave the
// document when uploading it. The response has the status line "HTTP/1.1 200 OK", the
// headers Content-Type: application/octet-stream, Content-Length and
// Content-Disposition: attachment; filename="<filename>", in that order, then an empty
// line and body. Lines end with CRLF.
func WriteDownloadResponse(w io.Writer, filename string, body []byte) error {
	// BEGIN SOLUTION
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, filename)
	fmt.Fprintf(&b, "Content-Disposition: attachment; filename=\"%s\"\r\n", name)
	b.WriteString("\r\n")
	b.Write(body)
	_, err := w.Write(b.Bytes())
	return err
}

// BEGIN ENTRYPOINT
// usage: <program> FILENAME < BODY -- writes the response to stdout
func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: download FILENAME < BODY")
		os.Exit(2)
	}
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	if err := WriteDownloadResponse(out, os.Args[1], body); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	out.Flush()
}
