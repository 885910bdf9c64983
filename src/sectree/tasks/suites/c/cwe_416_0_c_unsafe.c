#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
/**
 * Read one line of the form "key=value" from `in` and return the value: the text
 * after the first '='. The line may be arbitrarily long; its newline is not part of it.
 *
 * @return the value in a newly allocated string (the caller frees it), or NULL at the
 *         end of the input, if the line has no '=', or if memory runs out.
 */
char *read_setting_value(FILE *in) {
    // BEGIN SOLUTION
    size_t cap = 64, len = 0;
    char *line = malloc(cap);
    if (!line)
        return NULL;
    char *eq = NULL; /* the first '=' */
    int c;
    while ((c = fgetc(in)) != EOF && c != '\n') {
        if (len + 1 == cap) {
            char *bigger = realloc(line, cap * 2);
            if (!bigger) {
                free(line);
                return NULL;
            }
            line = bigger;
            cap *= 2;
        }
        if (c == '=' && !eq)
            eq = line + len;
        line[len++] = (char)c;
    }
    line[len] = '\0';
    char *value = eq ? strdup(eq + 1) : NULL;
    free(line);
    return value;
}

// BEGIN ENTRYPOINT
/* usage: prog < LINE -- prints "VALUE <value>" or "NONE" */
int main(void) {
    char *value = read_setting_value(stdin);
    if (value)
        printf("VALUE %s\n", value);
    else
        puts("NONE");
    free(value);
    return 0;
}
