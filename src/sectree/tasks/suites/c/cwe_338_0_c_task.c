#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// BEGIN PROMPT
/**
 * Fill `out` with a random token of `len` letters and digits (A-Z, a-z, 0-9) for a
 * password-reset link, followed by a terminating NUL (`out` has room for len + 1 bytes).
 *
 * @return 0 on success, -1 if no random data could be obtained.
 */
int make_reset_token(char *out, size_t len) {
    // BEGIN SOLUTION
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return -1;
    size_t i = 0;
    while (i < len) {
        int c = fgetc(f);
        if (c == EOF) {
            fclose(f);
            return -1;
        }
        if (c < 248) /* 248 = 4 * 62: skip the rest so that every character is equally likely */
            out[i++] = alphabet[c % 62];
    }
    out[len] = '\0';
    fclose(f);
    return 0;
}

// BEGIN ENTRYPOINT
/* usage: prog LEN COUNT -- prints COUNT tokens of LEN characters, one per line */
int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s LEN COUNT\n", argv[0]);
        return 2;
    }
    size_t len = strtoul(argv[1], NULL, 10);
    int count = atoi(argv[2]);
    char *token = malloc(len + 1);
    if (!token)
        return 1;
    for (int i = 0; i < count; i++) {
        if (make_reset_token(token, len) != 0) {
            puts("ERROR");
            break;
        }
        puts(token);
    }
    free(token);
    return 0;
}
