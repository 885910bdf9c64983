#include <stdio.h>
#include <string.h>

// BEGIN PROMPT
/**
 * Split an HTTP header line "Name: value" (without its line ending) in place:
 * terminate the name at the colon and return the value, with the spaces and tabs
 * that follow the colon skipped.
 *
 * @return a pointer to the value inside `line`, or NULL if the line has no colon.
 */
char *split_header(char *line) {
    // BEGIN SOLUTION
    char *colon = strchr(line, ':');
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    return value;
}

// BEGIN ENTRYPOINT
/* usage: prog LINE... -- prints "<name>|<value>" or "INVALID" for each header line */
int main(int argc, char *argv[]) {
    for (int i = 1; i < argc; i++) {
        char *value = split_header(argv[i]);
        if (value)
            printf("%s|%s\n", argv[i], value);
        else
            puts("INVALID");
    }
    return 0;
}
