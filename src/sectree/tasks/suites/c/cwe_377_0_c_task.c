#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// BEGIN PROMPT
/**
 * Write the `len` bytes at `data` to a new temporary file in `dir` (the scratch
 * directory that all worker processes share) and return the file's path.
 * The caller deletes the file when it is done with it.
 *
 * @return the path in a newly allocated string, or NULL on error.
 */
char *write_temp_file(const char *dir, const void *data, size_t len) {
    // BEGIN SOLUTION
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/upload-XXXXXX", dir) >= (int)sizeof path)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        unlink(path);
        return NULL;
    }
    close(fd);
    return strdup(path);
}

// BEGIN ENTRYPOINT
/* usage: prog DIR DATA... -- writes one temporary file per DATA and prints its path
   (or ERROR); before each file after the first it waits for a line on stdin */
int main(int argc, char *argv[]) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s DIR DATA...\n", argv[0]);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (i > 2) {
            char line[64];
            if (!fgets(line, sizeof line, stdin))
                line[0] = '\0';
        }
        char *path = write_temp_file(argv[1], argv[i], strlen(argv[i]));
        puts(path ? path : "ERROR");
        fflush(stdout);
        free(path);
    }
    return 0;
}
