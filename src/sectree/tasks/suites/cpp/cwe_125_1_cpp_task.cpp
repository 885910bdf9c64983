#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

// BEGIN PROMPT
/**
 * Read the 16-bit big-endian field at byte `offset` of a packet header received from the
 * network (the offset comes from the packet's own table of fields).
 *
 * @return the field's value, or std::nullopt if the field does not lie inside `header`.
 */
std::optional<std::uint16_t> field_at(const std::vector<std::uint8_t>& header, std::size_t offset) {
    // BEGIN SOLUTION
    if (offset >= header.size() || header.size() - offset < 2)
        return std::nullopt;
    return static_cast<std::uint16_t>(header[offset] << 8 | header[offset + 1]);
}

// BEGIN ENTRYPOINT
// usage: prog OFFSET... < HEADER -- prints each field's value in decimal, or "none"
int main(int argc, char** argv) {
    std::string raw((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::vector<std::uint8_t> header(raw.begin(), raw.end());
    header.shrink_to_fit();
    for (int i = 1; i < argc; i++) {
        auto v = field_at(header, std::strtoull(argv[i], nullptr, 10));
        if (v)
            std::cout << *v << "\n";
        else
            std::cout << "none\n";
    }
    return 0;
}
