#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
/**
 * Return a copy of `s` that is safe to insert into an HTML page, both as element
 * content and inside a quoted attribute value (e.g. <input value="...">).
 *
 * @return a newly allocated string (the caller frees it), or NULL if memory runs out.
 */
char *html_escape(const char *s) {
    // BEGIN SOLUTION
    char *out = malloc(6 * strlen(s) + 1);
    if (!out)
        return NULL;
    char *q = out;
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': q = stpcpy(q, "&amp;"); break;
        case '<': q = stpcpy(q, "&lt;"); break;
        case '>': q = stpcpy(q, "&gt;"); break;
        case '"': q = stpcpy(q, "&quot;"); break;
        case '\'': q = stpcpy(q, "&#39;"); break;
        default: *q++ = *p;
        }
    }
    *q = '\0';
    return out;
}

// BEGIN ENTRYPOINT
/* usage: prog TEXT -- prints the escaped text and a newline */
int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEXT\n", argv[0]);
        return 2;
    }
    char *escaped = html_escape(argv[1]);
    if (!escaped)
        return 1;
    puts(escaped);
    free(escaped);
    return 0;
}
