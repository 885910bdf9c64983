#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

// BEGIN PROMPT
/**
 * Set up a new working directory for a document conversion job inside `scratch`
 * (a scratch directory shared by all users of the host, like /tmp) and save the
 * uploaded document `document` in it as "input.dat". The caller deletes the
 * directory when the job is done.
 *
 * @return the path of the working directory, or an empty string on error.
 */
std::string prepare_job_dir(const std::string& scratch, const std::string& document) {
    // BEGIN SOLUTION
    std::string dir = scratch + "/convert-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr)
        return "";
    std::ofstream out(dir + "/input.dat", std::ios::binary | std::ios::trunc);
    if (!out.write(document.data(), document.size()))
        return "";
    return dir;
}

// BEGIN ENTRYPOINT
// usage: prog SCRATCH < DOCUMENTS -- prepares one job per line of DOCUMENTS and prints the
// working directory (or "ERROR") as soon as it is ready
int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SCRATCH\n", argv[0]);
        return 2;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string dir = prepare_job_dir(argv[1], line);
        std::cout << (dir.empty() ? "ERROR" : dir) << std::endl;
    }
    return 0;
}
