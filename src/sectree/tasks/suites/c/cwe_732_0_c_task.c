#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// BEGIN PROMPT
/**
 * Store the user's API key in the credentials file at `path`, creating the file or
 * replacing its contents. The file holds just the key and a newline.
 *
 * @return 0 on success, -1 on error.
 */
int save_api_key(const char *path, const char *api_key) {
    // BEGIN SOLUTION
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(api_key);
    int ok = fchmod(fd, 0600) == 0 && write(fd, api_key, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    return (close(fd) == 0 && ok) ? 0 : -1;
}

// BEGIN ENTRYPOINT
/* usage: prog PATH API_KEY -- prints "ok" or "error" */
int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH API_KEY\n", argv[0]);
        return 2;
    }
    puts(save_api_key(argv[1], argv[2]) == 0 ? "ok" : "error");
    return 0;
}
