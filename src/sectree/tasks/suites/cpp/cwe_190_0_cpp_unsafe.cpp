#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

// BEGIN PROMPT
/**
 * Convert the pixel data of an uploaded image from bottom-up to top-down row order.
 * The image is `width` x `height` pixels of 3 bytes each (both sizes come from the
 * file header); `data` holds the rows back to back, bottom row first, and may have
 * trailing bytes after the last row, which are ignored.
 *
 * @return the rows top row first (width * height * 3 bytes), or an empty vector if
 *         the image is empty or `data` is too short to hold all rows.
 */
std::vector<std::uint8_t> flip_rows(std::uint32_t width, std::uint32_t height, const std::vector<std::uint8_t>& data) {
    // BEGIN SOLUTION
    std::uint32_t row = width * 3;
    if (row == 0 || height == 0 || data.size() < row * height)
        return {};
    std::vector<std::uint8_t> out(row * height);
    for (std::uint32_t y = 0; y < height; ++y)
        std::memcpy(out.data() + std::size_t(y) * row, data.data() + std::size_t(height - 1 - y) * row, row);
    return out;
}

// BEGIN ENTRYPOINT
// usage: prog WIDTH HEIGHT < DATA -- prints "OK <n>" and the n flipped bytes, or "REJECTED"
int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s WIDTH HEIGHT\n", argv[0]);
        return 2;
    }
    auto width = static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10));
    auto height = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    std::string raw((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::vector<std::uint8_t> data(raw.begin(), raw.end());
    std::vector<std::uint8_t> out = flip_rows(width, height, data);
    if (out.empty()) {
        std::puts("REJECTED");
        return 0;
    }
    std::printf("OK %zu\n", out.size());
    std::fflush(stdout);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
