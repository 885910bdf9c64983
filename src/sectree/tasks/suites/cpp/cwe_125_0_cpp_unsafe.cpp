#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

// BEGIN PROMPT
/**
 * Split a record received from the network into its fields. The record is a
 * sequence of fields, each encoded as one length byte n followed by n bytes of data.
 *
 * @return the fields in order, or std::nullopt if the record is malformed.
 */
std::optional<std::vector<std::string>> split_fields(const std::vector<std::uint8_t>& record) {
    // BEGIN SOLUTION
    std::vector<std::string> fields;
    std::size_t pos = 0;
    while (pos < record.size()) {
        std::size_t len = record[pos++];
        fields.emplace_back(reinterpret_cast<const char*>(record.data()) + pos, len);
        pos += len;
    }
    return fields;
}

// BEGIN ENTRYPOINT
// usage: prog < RECORD -- prints "FIELDS <n>" and then each field in hex on its own line, or "MALFORMED"
int main(int argc, char** argv) {
    (void)argc;
    (void)argv;
    std::string raw((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::vector<std::uint8_t> record(raw.begin(), raw.end());
    record.shrink_to_fit();
    auto fields = split_fields(record);
    if (!fields) {
        std::puts("MALFORMED");
        return 0;
    }
    std::printf("FIELDS %zu\n", fields->size());
    for (const std::string& f : *fields) {
        for (unsigned char c : f)
            std::printf("%02x", c);
        std::printf("\n");
    }
    return 0;
}
