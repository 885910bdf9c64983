#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

// BEGIN PROMPT
/**
 * Parse the quantity field of the order form: a decimal whole number from 1 to 1000.
 *
 * @return the quantity, or -1 if `s` is not such a number.
 */
int parse_quantity(const char *s) {
    // BEGIN SOLUTION
    int n = atoi(s);
    if (n < 1 || n > 1000)
        return -1;
    return n;
}

// BEGIN ENTRYPOINT
/* usage: prog VALUE... -- prints parse_quantity(VALUE) for each VALUE, one per line */
int main(int argc, char *argv[]) {
    for (int i = 1; i < argc; i++)
        printf("%d\n", parse_quantity(argv[i]));
    return 0;
}
