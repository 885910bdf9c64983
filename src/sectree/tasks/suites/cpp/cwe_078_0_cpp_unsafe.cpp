#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// BEGIN PROMPT
/**
 * Make a backup copy of the file `src` at `dst` using the system's `cp -p` command
 * (which keeps the file's mode and timestamps). Both names are given by the user
 * in the web console.
 *
 * @return true if cp succeeded, false otherwise.
 */
bool backup_file(const std::string& src, const std::string& dst) {
    // BEGIN SOLUTION
    std::string command = "cp -p \"" + src + "\" \"" + dst + "\"";
    int status = std::system(command.c_str());
    if (status == -1)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// BEGIN ENTRYPOINT
// usage: prog SRC DST -- prints "copied" or "failed"
int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SRC DST\n", argv[0]);
        return 2;
    }
    std::puts(backup_file(argv[1], argv[2]) ? "copied" : "failed");
    return 0;
}
