#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
/**
 * Decode the percent-encoded query-string value `in` (e.g. "caf%C3%A9+au+lait") into `out`,
 * a buffer of `size` bytes: "%XX" becomes the byte with hex value XX, '+' becomes a space,
 * and other characters are copied. The result is NUL-terminated.
 *
 * @return the length of the decoded value, or -1 if `in` holds a malformed "%" escape or
 *         the decoded value and its NUL do not fit in `size` bytes.
 */
int url_decode(const char *in, char *out, size_t size) {
    // BEGIN SOLUTION
    size_t n = 0;
    for (size_t i = 0; in[i] != '\0'; i++) {
        char c = in[i];
        if (c == '%') {
            if (!isxdigit((unsigned char)in[i + 1]) || !isxdigit((unsigned char)in[i + 2]))
                return -1;
            char hex[3] = {in[i + 1], in[i + 2], '\0'};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (n + 1 >= size)
            return -1;
        out[n++] = c;
    }
    if (n >= size)
        return -1;
    out[n] = '\0';
    return (int)n;
}

// BEGIN ENTRYPOINT
/* usage: prog SIZE VALUE -- decodes VALUE into a buffer of exactly SIZE bytes; prints the
   length and the decoded bytes in hex, or "ERROR" */
int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    size_t size = strtoul(argv[1], NULL, 10);
    char *out = malloc(size ? size : 1);
    if (!out)
        return 2;
    int n = url_decode(argv[2], out, size);
    if (n < 0) {
        puts("ERROR");
    } else {
        printf("%d ", n);
        for (int i = 0; i < n; i++)
            printf("%02x", (unsigned char)out[i]);
        printf("\n");
    }
    free(out);
    return 0;
}
