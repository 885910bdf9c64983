#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
#define N_OPTIONS 8

/**
 * Count the ballots read from `in` for a poll with N_OPTIONS options. Each line of
 * the input is one ballot: the number of the chosen option (0 to N_OPTIONS - 1),
 * optionally followed by a comment after a '#', e.g. "3  # from kiosk 2".
 * Lines that do not hold a valid option number are skipped.
 * counts[i] receives the number of ballots for option i.
 *
 * @return the number of valid ballots.
 */
int tally_votes(FILE *in, int counts[N_OPTIONS]) {
    // BEGIN SOLUTION
    char line[256];
    int valid = 0;
    memset(counts, 0, N_OPTIONS * sizeof counts[0]);
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "#")] = '\0';
        char *end;
        long option = strtol(line, &end, 10);
        if (end == line || strspn(end, " \t\r\n") != strlen(end))
            continue;
        if (option < 0 || option >= N_OPTIONS)
            continue;
        counts[option]++;
        valid++;
    }
    return valid;
}

// BEGIN ENTRYPOINT
/* usage: prog < BALLOTS -- prints the number of valid ballots, then the count of each option */
int main(void) {
    int counts[N_OPTIONS];
    int valid = tally_votes(stdin, counts);
    printf("%d\n", valid);
    for (int i = 0; i < N_OPTIONS; i++)
        printf("%d%c", counts[i], i + 1 < N_OPTIONS ? ' ' : '\n');
    return 0;
}
