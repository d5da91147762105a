#pragma once
// Reproducible random numbers for the finite-N network: splitmix64 streams with seeds derived
// deterministically from (seed, stream ids), and our own Box-Muller normals, so that results depend on
// neither the standard library's distribution implementations nor the thread count.
#include <cmath>
#include <cstdint>
#include <numbers>

namespace gdmft::sim {

// The splitmix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix.
inline std::uint64_t splitmix64_mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Seed of sub-stream `id` of `seed` (realizations, matrices, rows, trajectories nest by repeated use).
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t id) {
    return splitmix64_mix(splitmix64_mix(seed + 0x9e3779b97f4a7c15ULL) ^ (id * 0xd1b54a32d192ed03ULL + 1));
}

// splitmix64 generator with Box-Muller standard normals.
class NormalStream {
public:
    explicit NormalStream(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next_u64() {
        state_ += 0x9e3779b97f4a7c15ULL;
        return splitmix64_mix(state_);
    }
    // Uniform in (0, 1]: 53 random bits, never 0 (safe for log).
    double uniform() { return (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53; }

    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double rad = std::sqrt(-2.0 * std::log(uniform()));
        const double ang = 2.0 * std::numbers::pi * uniform();
        spare_ = rad * std::sin(ang);
        has_spare_ = true;
        return rad * std::cos(ang);
    }

private:
    std::uint64_t state_;
    double spare_ = 0;
    bool has_spare_ = false;
};

}  // namespace gdmft::sim
