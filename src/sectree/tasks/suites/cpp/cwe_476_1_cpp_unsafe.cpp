#include <iostream>
#include <map>
#include <string>
#include <utility>

// BEGIN PROMPT
struct Person {
    std::string name;
    std::string nickname;  // empty if the person has none
};

/** The company directory, loaded from the HR export. */
class Directory {
public:
    void add(const std::string& id, Person p) { people_[id] = std::move(p); }
    /** The person with this id, or nullptr if there is none. */
    const Person* find(const std::string& id) const {
        auto it = people_.find(id);
        return it == people_.end() ? nullptr : &it->second;
    }

private:
    std::map<std::string, Person> people_;
};

/**
 * Return the name shown as the author of a comment, whose author's employee id `id` is stored
 * with the comment: the person's nickname if they have one, else their name, and "former
 * employee" if the id is no longer in the directory.
 */
std::string display_name(const Directory& dir, const std::string& id) {
    // BEGIN SOLUTION
    const Person* p = dir.find(id);
    return p->nickname.empty() ? p->name : p->nickname;
}

// BEGIN ENTRYPOINT
// usage: prog ID... < DIRECTORY -- DIRECTORY has one "id<TAB>name<TAB>nickname" line per person;
// prints the display name for each ID, one per line
int main(int argc, char** argv) {
    Directory dir;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::size_t a = line.find('\t'), b = line.find('\t', a + 1);
        if (a == std::string::npos || b == std::string::npos)
            continue;
        dir.add(line.substr(0, a), Person{line.substr(a + 1, b - a - 1), line.substr(b + 1)});
    }
    for (int i = 1; i < argc; i++)
        std::cout << display_name(dir, argv[i]) << "\n";
    return 0;
}
