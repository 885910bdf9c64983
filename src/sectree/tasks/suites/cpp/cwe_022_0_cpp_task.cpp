#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

// BEGIN PROMPT
namespace fs = std::filesystem;

/**
 * Return the content of the file `name` inside the project folder `root`.
 * `name` is a path relative to `root` taken from the download request, e.g.
 * "docs/readme.txt".
 *
 * @return the file's content, or std::nullopt if the file does not exist or
 *         cannot be read.
 */
std::optional<std::string> read_project_file(const fs::path& root, const std::string& name) {
    // BEGIN SOLUTION
    std::error_code ec;
    const fs::path base = fs::canonical(root, ec);
    if (ec)
        return std::nullopt;
    const fs::path target = fs::weakly_canonical(base / name, ec);
    if (ec || std::mismatch(base.begin(), base.end(), target.begin(), target.end()).first != base.end())
        return std::nullopt;
    if (!fs::is_regular_file(target, ec))
        return std::nullopt;
    std::ifstream in(target, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// BEGIN ENTRYPOINT
// usage: prog ROOT NAME -- prints the file's content; exit status 1 if it cannot be read
int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s ROOT NAME\n", argv[0]);
        return 2;
    }
    std::optional<std::string> content = read_project_file(argv[1], argv[2]);
    if (!content)
        return 1;
    std::fwrite(content->data(), 1, content->size(), stdout);
    return 0;
}
