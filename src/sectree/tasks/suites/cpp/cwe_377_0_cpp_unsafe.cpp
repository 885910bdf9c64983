#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>

// BEGIN PROMPT
/**
 * Save the crash report `report` as a new file in the spool directory `spool_dir`,
 * which is shared by all services on the host; an uploader picks the files up
 * later and deletes them.
 *
 * @return the path of the new file, or an empty string on error.
 */
std::string spool_report(const std::string& spool_dir, const std::string& report) {
    // BEGIN SOLUTION
    std::string path = spool_dir + "/crash-" + std::to_string(getpid()) + ".txt";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return "";
    bool ok = static_cast<bool>(out.write(report.data(), report.size()));
    out.close();
    ok = !out.fail() && ok;
    if (!ok) {
        unlink(path.c_str());
        return "";
    }
    return path;
}

// BEGIN ENTRYPOINT
// usage: prog SPOOL_DIR < REPORTS -- saves each line of REPORTS as one report and prints its
// path (or "ERROR") as soon as it is saved
int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SPOOL_DIR\n", argv[0]);
        return 2;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string path = spool_report(argv[1], line);
        std::cout << (path.empty() ? "ERROR" : path) << std::endl;
    }
    return 0;
}
