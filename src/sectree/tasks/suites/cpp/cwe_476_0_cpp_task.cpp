#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>

// BEGIN PROMPT
using RoleOfUser = std::unordered_map<std::string, std::string>;
using PermissionsOfRole = std::unordered_map<std::string, std::unordered_set<std::string>>;

/**
 * Decide whether `user` may perform `action`. `roles` maps each user name to the
 * user's role, and `grants` maps a role name to the set of actions that role may
 * perform. Both tables are loaded from the admin's configuration files.
 *
 * @return true if the user's role grants `action`; unknown users get no permissions.
 */
bool is_allowed(const RoleOfUser& roles, const PermissionsOfRole& grants, const std::string& user, const std::string& action) {
    // BEGIN SOLUTION
    auto role = roles.find(user);
    if (role == roles.end())
        return false;
    auto granted = grants.find(role->second);
    if (granted == grants.end())
        return false;
    return granted->second.count(action) > 0;
}

// BEGIN ENTRYPOINT
// usage: prog USER ACTION < CONFIG -- CONFIG holds lines "USER ROLE", an empty line, then
// lines "ROLE ACTION..."; prints "ALLOWED" or "DENIED"
int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s USER ACTION\n", argv[0]);
        return 2;
    }
    RoleOfUser roles;
    PermissionsOfRole grants;
    std::string line;
    while (std::getline(std::cin, line) && !line.empty()) {
        std::istringstream fields(line);
        std::string user, role;
        if (fields >> user >> role)
            roles[user] = role;
    }
    while (std::getline(std::cin, line)) {
        std::istringstream fields(line);
        std::string role, action;
        if (!(fields >> role))
            continue;
        auto& actions = grants[role];
        while (fields >> action)
            actions.insert(action);
    }
    std::puts(is_allowed(roles, grants, argv[1], argv[2]) ? "ALLOWED" : "DENIED");
    return 0;
}
