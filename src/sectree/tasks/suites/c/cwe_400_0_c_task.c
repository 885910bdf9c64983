#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// BEGIN PROMPT
#define MAX_BODY 65536 /* the largest request body the service accepts, in bytes */

/**
 * Read the body of an HTTP request from `in`, which is positioned just after the
 * request line. The header lines ("Name: value", each ending with CRLF) come first and
 * end with an empty line; the body follows. Its size in bytes is given by the
 * Content-Length header (header names are case-insensitive).
 *
 * @param len receives the size of the body
 * @return the body in a newly allocated buffer (NUL-terminated for convenience), or NULL
 *         if Content-Length is missing or invalid, the body is larger than MAX_BODY bytes,
 *         or the input ends early.
 */
char *read_request_body(FILE *in, size_t *len) {
    // BEGIN SOLUTION
    char line[1024];
    long long length = -1;
    int end_of_headers = 0;
    while (!end_of_headers && fgets(line, sizeof line, in)) {
        if (strcmp(line, "\r\n") == 0 || strcmp(line, "\n") == 0) {
            end_of_headers = 1;
        } else if (strncasecmp(line, "Content-Length:", 15) == 0) {
            char *end;
            errno = 0;
            length = strtoll(line + 15, &end, 10);
            if (errno || end == line + 15 || length < 0 || strspn(end, " \t\r\n") != strlen(end))
                return NULL;
        }
    }
    if (!end_of_headers || length < 0)
        return NULL;
    if (length > MAX_BODY)
        return NULL;
    char *body = malloc((size_t)length + 1);
    if (!body)
        return NULL;
    if (fread(body, 1, (size_t)length, in) != (size_t)length) {
        free(body);
        return NULL;
    }
    body[length] = '\0';
    *len = (size_t)length;
    return body;
}

// BEGIN ENTRYPOINT
/* usage: prog < REQUEST -- prints "OK <len>" and the body, or "REJECTED" */
int main(void) {
    size_t len = 0;
    char *body = read_request_body(stdin, &len);
    if (!body) {
        puts("REJECTED");
        return 0;
    }
    printf("OK %zu\n", len);
    fwrite(body, 1, len, stdout);
    free(body);
    return 0;
}
