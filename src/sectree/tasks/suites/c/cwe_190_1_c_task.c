#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
/**
 * Build a separator line of a text report: `s` repeated `times` times. Both come from the
 * report template a user uploaded (e.g. "=-" and 40).
 *
 * @return a newly allocated NUL-terminated string (the caller frees it), or NULL if the
 *         result is too large to allocate or memory runs out.
 */
char *repeat_string(const char *s, size_t times) {
    // BEGIN SOLUTION
    size_t len = strlen(s);
    if (len != 0 && times > (SIZE_MAX - 1) / len)
        return NULL;
    char *out = malloc(len * times + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < times; i++)
        memcpy(out + i * len, s, len);
    out[len * times] = '\0';
    return out;
}

// BEGIN ENTRYPOINT
/* usage: prog STRING TIMES -- prints the repeated string, or "NULL" */
int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    char *line = repeat_string(argv[1], strtoull(argv[2], NULL, 10));
    if (line == NULL) {
        puts("NULL");
        return 0;
    }
    puts(line);
    free(line);
    return 0;
}
