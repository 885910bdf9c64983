#include <stdio.h>

// BEGIN PROMPT
/**
 * Relay a chat message received from a client: write `msg` to the stream `out`
 * (the other participants' connection), followed by a newline.
 */
void relay_message(FILE *out, const char *msg) {
    // BEGIN SOLUTION
    fprintf(out, msg);
    fputc('\n', out);
}

// BEGIN ENTRYPOINT
/* usage: prog MESSAGE... -- relays each MESSAGE to stdout */
int main(int argc, char *argv[]) {
    for (int i = 1; i < argc; i++)
        relay_message(stdout, argv[i]);
    return 0;
}
