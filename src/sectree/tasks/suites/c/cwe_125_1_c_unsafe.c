#include <stdio.h>
#include <stdlib.h>

// BEGIN PROMPT
static const char *const MONTHS[12] = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
};

/**
 * Return the English name of month `month` (1 = January ... 12 = December), a number
 * taken from the ?month= parameter of the calendar page.
 *
 * @return the name, or NULL if `month` is not a month number.
 */
const char *month_name(long month) {
    // BEGIN SOLUTION
    if (month > 12)
        return NULL;
    return MONTHS[month - 1];
}

// BEGIN ENTRYPOINT
/* usage: prog NUMBER... -- prints the month's name, or "invalid", for each number */
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *name = month_name(strtol(argv[i], NULL, 10));
        puts(name ? name : "invalid");
    }
    return 0;
}
