#include <cctype>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

// BEGIN PROMPT
constexpr std::size_t MAX_OUTPUT = 1 << 20; // largest decoded message we handle, in bytes

/**
 * Decode a run-length encoded message received from a client. The encoding is a
 * sequence of runs, each a decimal repeat count (at least 1) followed by the one
 * character to repeat: "3a2b1c" decodes to "aaabbc". The character of a run may be
 * anything except a digit.
 *
 * @return the decoded message, or std::nullopt if `encoded` is malformed or the
 *         decoded message would be longer than MAX_OUTPUT bytes.
 */
std::optional<std::string> rle_decode(const std::string& encoded) {
    // BEGIN SOLUTION
    std::string out;
    std::size_t count = 0;
    bool have_count = false;
    for (char c : encoded) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            count = count * 10 + static_cast<std::size_t>(c - '0');
            have_count = true;
            continue;
        }
        if (!have_count || count == 0)
            return std::nullopt;
        out.append(count, c);
        count = 0;
        have_count = false;
    }
    if (have_count)
        return std::nullopt;
    return out;
}

// BEGIN ENTRYPOINT
// usage: prog < ENCODED -- prints "OK <n>" and the n decoded bytes, or "REJECTED"
int main(int argc, char** argv) {
    (void)argc;
    (void)argv;
    std::string encoded((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::optional<std::string> decoded = rle_decode(encoded);
    if (!decoded) {
        std::puts("REJECTED");
        return 0;
    }
    std::printf("OK %zu\n", decoded->size());
    std::fflush(stdout);
    std::fwrite(decoded->data(), 1, decoded->size(), stdout);
    return 0;
}
