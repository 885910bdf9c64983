#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

// BEGIN PROMPT
constexpr std::size_t MAX_WORDS = 8; // commands of the admin shell take at most 8 words

/**
 * Split the command line `line` typed into the admin shell into its words (separated
 * by one or more spaces) and store views of them, in order, in `words`.
 *
 * @return the number of words, or -1 if the line has more than MAX_WORDS words.
 */
int split_command(std::string_view line, std::string_view (&words)[MAX_WORDS]) {
    // BEGIN SOLUTION
    int count = 0;
    std::size_t pos = 0;
    while ((pos = line.find_first_not_of(' ', pos)) != std::string_view::npos) {
        std::size_t end = line.find(' ', pos);
        if (end == std::string_view::npos)
            end = line.size();
        if (count > static_cast<int>(MAX_WORDS))
            return -1;
        words[count++] = line.substr(pos, end - pos);
        pos = end;
    }
    return count;
}

// BEGIN ENTRYPOINT
// usage: prog LINE -- prints "WORDS <n>" and the words in brackets, one a line, or "TOO MANY"
int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s LINE\n", argv[0]);
        return 2;
    }
    std::string line = argv[1];
    std::string_view words[MAX_WORDS];
    int n = split_command(line, words);
    if (n < 0) {
        std::puts("TOO MANY");
        return 0;
    }
    std::printf("WORDS %d\n", n);
    for (int i = 0; i < n; ++i)
        std::printf("[%.*s]\n", static_cast<int>(words[i].size()), words[i].data());
    return 0;
}
