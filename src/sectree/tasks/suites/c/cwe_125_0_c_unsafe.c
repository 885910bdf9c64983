#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// BEGIN PROMPT
/**
 * A message received from the network is a sequence of records, each made of a
 * 1-byte type, a 1-byte length n and n bytes of value. Find the first record of type
 * `type` in `msg` (`msg_len` bytes) and copy its value into `out`, which has room for
 * 255 bytes.
 *
 * @return the length of the value, or -1 if there is no such record or the message is
 *         malformed.
 */
int find_record(const unsigned char *msg, size_t msg_len, unsigned char type, unsigned char *out) {
    // BEGIN SOLUTION
    size_t pos = 0;
    while (pos + 2 <= msg_len) {
        unsigned char t = msg[pos], n = msg[pos + 1];
        if (t == type) {
            memcpy(out, msg + pos + 2, n);
            return n;
        }
        pos += 2 + (size_t)n;
    }
    return -1;
}

// BEGIN ENTRYPOINT
/* usage: prog TYPE HEXMSG -- prints the value of the first record of TYPE in hex, or NOT FOUND */
int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s TYPE HEXMSG\n", argv[0]);
        return 2;
    }
    size_t len = strlen(argv[2]) / 2;
    unsigned char *msg = malloc(len ? len : 1);
    if (!msg)
        return 1;
    for (size_t i = 0; i < len; i++) {
        unsigned int byte;
        if (sscanf(argv[2] + 2 * i, "%2x", &byte) != 1)
            return 2;
        msg[i] = (unsigned char)byte;
    }
    unsigned char value[255];
    int n = find_record(msg, len, (unsigned char)atoi(argv[1]), value);
    if (n < 0) {
        puts("NOT FOUND");
    } else {
        for (int i = 0; i < n; i++)
            printf("%02x", value[i]);
        putchar('\n');
    }
    free(msg);
    return 0;
}
