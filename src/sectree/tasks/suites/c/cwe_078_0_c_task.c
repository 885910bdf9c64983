#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// BEGIN PROMPT
/**
 * Compress the file at `path` with the gzip command, producing `path`.gz next to it.
 * The original file is kept and an existing .gz file is overwritten.
 * `path` is the name of a file the user uploaded.
 *
 * @return 0 if gzip succeeded, -1 otherwise.
 */
int compress_file(const char *path) {
    // BEGIN SOLUTION
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execlp("gzip", "gzip", "-k", "-f", "--", path, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

// BEGIN ENTRYPOINT
/* usage: prog PATH -- prints "ok" or "failed" */
int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH\n", argv[0]);
        return 2;
    }
    puts(compress_file(argv[1]) == 0 ? "ok" : "failed");
    return 0;
}
