#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>

// BEGIN PROMPT
/**
 * Parse the `limit` query parameter of the search API: the number of results per
 * page, a whole number written in decimal digits, from 1 to 500.
 *
 * @return the limit, or std::nullopt if `value` is not a valid limit.
 */
std::optional<int> parse_limit(const std::string& value) {
    // BEGIN SOLUTION
    int limit = std::stoi(value);
    if (limit < 1 || limit > 500)
        return std::nullopt;
    return limit;
}

// BEGIN ENTRYPOINT
// usage: prog VALUE -- prints "limit=<n>" or "INVALID"
int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s VALUE\n", argv[0]);
        return 2;
    }
    std::optional<int> limit = parse_limit(argv[1]);
    if (limit)
        std::printf("limit=%d\n", *limit);
    else
        std::puts("INVALID");
    return 0;
}
