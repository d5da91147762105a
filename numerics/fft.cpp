#include "numerics/fft.hpp"

namespace gdmft::fft {

std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

std::size_t good_size(std::size_t n) {
    for (std::size_t m = std::max<std::size_t>(n, 1);; ++m) {
        std::size_t r = m;
        for (std::size_t p : {2, 3, 5})
            while (r % p == 0) r /= p;
        if (r == 1) return m;
    }
}

}  // namespace gdmft::fft
