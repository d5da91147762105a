// Seeds of the statistical tests. Every random choice a test makes (networks, paths, directions, sample
// streams) starts from a base seed written in the test; gdmft_test::seed(base) shifts it by
// 1000 x GDMFT_TEST_SEED_OFFSET (an environment variable, default 0), so the same binary draws a fresh,
// independent sample of its noise:
//     GDMFT_TEST_SEED_OFFSET=3 build/test_memory
// The tolerances of the statistical checks were calibrated this way, over offsets other than 0 (the
// comments at each check give the measured spread). The factor 1000 keeps the seed ranges of tests that
// loop over consecutive seeds (base, base + 1, ...) disjoint between offsets.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace gdmft_test {

inline std::uint64_t seed_offset() {
    const char* s = std::getenv("GDMFT_TEST_SEED_OFFSET");
    return (s && *s) ? std::strtoull(s, nullptr, 10) : 0;
}

inline std::uint64_t seed(std::uint64_t base) { return base + 1000 * seed_offset(); }

// The same, as a command-line argument value.
inline std::string seed_arg(std::uint64_t base) { return std::to_string(seed(base)); }

}  // namespace gdmft_test
