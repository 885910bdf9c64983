package main

import (
	"fmt"
	"html"
	"os"
	"strings"
)

// BEGIN PROMPT
// Comment is one reader comment under a blog post, as submitted through the comment form.
type Comment struct {
	Author string
	Text   string
}

// RenderComments returns the HTML for the comment section of a post page, e.g. for one
// comment by alice:
//
//	<ul class="comments"><li><b>alice</b>: Nice post!</li></ul>
//
// Each comment's text is shown as plain text.
func RenderComments(comments []Comment) string {
	// BEGIN SOLUTION
	var b strings.Builder
	b.WriteString(`<ul class="comments">`)
	for _, c := range comments {
		fmt.Fprintf(&b, "<li><b>%s</b>: %s</li>", html.EscapeString(c.Author), html.EscapeString(c.Text))
	}
	b.WriteString("</ul>")
	return b.String()
}

// BEGIN ENTRYPOINT
// usage: <program> [AUTHOR TEXT]... -- prints the HTML for these comments
func main() {
	if len(os.Args)%2 != 1 {
		fmt.Fprintln(os.Stderr, "usage: render [AUTHOR TEXT]...")
		os.Exit(2)
	}
	var comments []Comment
	for i := 1; i+1 < len(os.Args); i += 2 {
		comments = append(comments, Comment{Author: os.Args[i], Text: os.Args[i+1]})
	}
	fmt.Print(RenderComments(comments))
}
