#include <stdio.h>
#include <stdlib.h>

// BEGIN PROMPT
/**
 * Write into `buf` (`size` bytes) the value of the Set-Cookie header that stores
 * `session_id` in the "session" cookie for the whole site, valid for `max_age` seconds.
 * Sent by the login endpoint of our HTTPS web app.
 *
 * @return the length of the value, or -1 if it does not fit in `buf`.
 */
int session_cookie(char *buf, size_t size, const char *session_id, int max_age) {
    // BEGIN SOLUTION
    int n = snprintf(buf, size, "session=%s; Max-Age=%d; Path=/; SameSite=Lax", session_id, max_age);
    return (n < 0 || (size_t)n >= size) ? -1 : n;
}

// BEGIN ENTRYPOINT
/* usage: prog SESSION_ID MAX_AGE -- prints the header value, or ERROR */
int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SESSION_ID MAX_AGE\n", argv[0]);
        return 2;
    }
    char buf[512];
    if (session_cookie(buf, sizeof buf, argv[1], atoi(argv[2])) < 0)
        puts("ERROR");
    else
        puts(buf);
    return 0;
}
