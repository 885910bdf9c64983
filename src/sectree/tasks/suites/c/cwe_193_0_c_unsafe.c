#include <stdio.h>
#include <string.h>

// BEGIN PROMPT
#define USERNAME_MAX 16 /* size of a username buffer */

/**
 * Copy the username `name` (from the login request) into `dst`, a buffer of
 * USERNAME_MAX bytes, as a NUL-terminated string.
 *
 * @return 0 on success, -1 if the name is too long to fit (dst is left unchanged).
 */
int set_username(char dst[USERNAME_MAX], const char *name) {
    // BEGIN SOLUTION
    size_t len = strlen(name);
    if (len > USERNAME_MAX)
        return -1;
    memcpy(dst, name, len + 1);
    return 0;
}

// BEGIN ENTRYPOINT
/* usage: prog NAME -- prints "user=<name>" or "TOO LONG (user=<previous name>)" */
int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    char user[USERNAME_MAX] = "guest";
    if (set_username(user, argv[1]) == 0)
        printf("user=%s\n", user);
    else
        printf("TOO LONG (user=%s)\n", user);
    return 0;
}
