#include <cctype>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

// BEGIN PROMPT
/**
 * Convert the date `date` entered in a booking form, written "YYYY-MM-DD" (for
 * example "2024-03-01"), to the day of the year: 1 for January 1st, 32 for
 * February 1st, and so on (leap years have a February 29th).
 *
 * @return the day of the year, or std::nullopt if `date` is not a valid date
 *         written in that form.
 */
std::optional<int> day_of_year(const std::string& date) {
    // BEGIN SOLUTION
    static const int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (date.size() != 10 || date[4] != '-' || date[7] != '-')
        return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!std::isdigit(static_cast<unsigned char>(date[i])))
            return std::nullopt;
    int year = std::stoi(date.substr(0, 4));
    int month = std::stoi(date.substr(5, 2));
    int day = std::stoi(date.substr(8, 2));
    if (month < 1 || month > 12)
        return std::nullopt;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    auto length = [&](int m) { return days_in_month[m - 1] + (m == 2 && leap ? 1 : 0); };
    if (day < 1 || day > length(month))
        return std::nullopt;
    for (int m = 1; m < month; ++m)
        day += length(m);
    return day;
}

// BEGIN ENTRYPOINT
// usage: prog DATE -- prints "day=<n>" or "INVALID"
int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DATE\n", argv[0]);
        return 2;
    }
    std::optional<int> day = day_of_year(argv[1]);
    if (day)
        std::printf("day=%d\n", *day);
    else
        std::puts("INVALID");
    return 0;
}
