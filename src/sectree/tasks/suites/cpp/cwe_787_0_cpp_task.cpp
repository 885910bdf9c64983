#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

// BEGIN PROMPT
// Fixed-layout record appended to the binary audit log (the layout is shared with other tools).
struct AuditRecord {
    std::uint32_t user_id;
    char action[32]; // NUL-terminated text
    std::uint32_t flags;
};

/**
 * Fill `rec` for user `user_id` performing `action` (the action name comes from the
 * request). The action is stored as a NUL-terminated string in `rec.action`; an
 * action too long for the field is cut short. `flags` is set to 0.
 */
void fill_record(AuditRecord& rec, std::uint32_t user_id, const std::string& action) {
    // BEGIN SOLUTION
    rec.user_id = user_id;
    std::size_t n = std::min(action.size(), sizeof rec.action - 1);
    std::memcpy(rec.action, action.data(), n);
    rec.action[n] = '\0';
    rec.flags = 0;
}

// BEGIN ENTRYPOINT
// usage: prog USER_ID ACTION -- prints "user=<id> action=<action> flags=<flags>"
int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s USER_ID ACTION\n", argv[0]);
        return 2;
    }
    AuditRecord rec;
    std::memset(&rec, 0x41, sizeof rec);
    fill_record(rec, static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10)), argv[2]);
    std::printf("user=%u action=%s flags=%u\n", rec.user_id, rec.action, rec.flags);
    return 0;
}
