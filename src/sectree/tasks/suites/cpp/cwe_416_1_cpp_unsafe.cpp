#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

// BEGIN PROMPT
/**
 * Open a copy of the browser tab at `index`: append a tab titled "<title> (copy)" to `tabs`,
 * and return the title of the tab that was copied (shown in the status bar). `index` is a
 * valid index into `tabs`.
 */
std::string duplicate_tab(std::vector<std::string>& tabs, std::size_t index) {
    // BEGIN SOLUTION
    const std::string& original = tabs[index];
    tabs.push_back(original + " (copy)");
    return original;
}

// BEGIN ENTRYPOINT
// usage: prog SPARE INDEX TITLE... -- the tab list holds the TITLEs and has room for SPARE more
// tabs before it must grow; prints the title duplicate_tab returns, then every tab, one per line
int main(int argc, char** argv) {
    if (argc < 4)
        return 2;
    std::vector<std::string> tabs(argv + 3, argv + argc);
    tabs.shrink_to_fit();
    tabs.reserve(tabs.size() + std::strtoul(argv[1], nullptr, 10));
    std::string copied = duplicate_tab(tabs, std::strtoul(argv[2], nullptr, 10));
    std::cout << copied << "\n";
    for (const std::string& t : tabs)
        std::cout << t << "\n";
    return 0;
}
