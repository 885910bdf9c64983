#include <cstddef>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

// BEGIN PROMPT
constexpr std::size_t MAX_TAGS = 1000; // the most tags a client may attach to one item

/**
 * Read the tag list a client sends for an item from `in`: a line with the number of
 * tags N, then N lines with one tag each.
 *
 * @return the N tags in order, or std::nullopt if N is not a number, N is larger
 *         than MAX_TAGS, or the input ends before N tags were read.
 */
std::optional<std::vector<std::string>> read_tags(std::istream& in) {
    // BEGIN SOLUTION
    std::size_t count = 0;
    if (!(in >> count) || count > MAX_TAGS)
        return std::nullopt;
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    std::vector<std::string> tags;
    tags.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string tag;
        if (!std::getline(in, tag))
            return std::nullopt;
        tags.push_back(std::move(tag));
    }
    return tags;
}

// BEGIN ENTRYPOINT
// usage: prog < REQUEST -- prints "TAGS <n>" and the tags, one a line, or "REJECTED"
int main(int argc, char** argv) {
    (void)argc;
    (void)argv;
    std::optional<std::vector<std::string>> tags = read_tags(std::cin);
    if (!tags) {
        std::puts("REJECTED");
        return 0;
    }
    std::printf("TAGS %zu\n", tags->size());
    for (const std::string& t : *tags)
        std::printf("%s\n", t.c_str());
    return 0;
}
