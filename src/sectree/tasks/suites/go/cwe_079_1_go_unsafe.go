package main

import (
	"fmt"
	"html"
	"os"
	"strings"
)

// BEGIN PROMPT
// Bookmark is a link a user saved: the title and the URL they typed in.
type Bookmark struct {
	Title string
	URL   string
}

// BookmarksHTML returns the HTML list of a user's saved bookmarks, e.g. for one bookmark:
//
//	<ul><li><a href="https://go.dev/">Go</a></li></ul>
//
// A bookmark whose URL is not an http or https URL gets href="#".
func BookmarksHTML(bookmarks []Bookmark) string {
	// BEGIN SOLUTION
	var b strings.Builder
	b.WriteString("<ul>")
	for _, bm := range bookmarks {
		url := bm.URL
		lower := strings.ToLower(url)
		if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
			url = "#"
		}
		fmt.Fprintf(&b, `<li><a href="%s">%s</a></li>`, url, html.EscapeString(bm.Title))
	}
	b.WriteString("</ul>")
	return b.String()
}

// BEGIN ENTRYPOINT
// usage: <program> [TITLE URL]... -- prints the HTML for these bookmarks
func main() {
	if len(os.Args)%2 != 1 {
		fmt.Fprintln(os.Stderr, "usage: bookmarks [TITLE URL]...")
		os.Exit(2)
	}
	var bookmarks []Bookmark
	for i := 1; i+1 < len(os.Args); i += 2 {
		bookmarks = append(bookmarks, Bookmark{Title: os.Args[i], URL: os.Args[i+1]})
	}
	fmt.Print(BookmarksHTML(bookmarks))
}
