#include <stdio.h>

// BEGIN PROMPT
/**
 * Write one line to the auth log `log` for a failed login, e.g.
 * "failed login for user alice from 10.0.0.7".
 * `username` is what was typed in the login form and `ip` comes from the
 * X-Forwarded-For header.
 */
void log_failed_login(FILE *log, const char *username, const char *ip) {
    // BEGIN SOLUTION
    fprintf(log, "failed login for user %s from %s\n", username, ip);
}

// BEGIN ENTRYPOINT
/* usage: prog USERNAME IP -- writes the log line to stdout */
int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s USERNAME IP\n", argv[0]);
        return 2;
    }
    log_failed_login(stdout, argv[1], argv[2]);
    return 0;
}
