#pragma once
// Sample statistics over independent realizations.
#include <cmath>
#include <vector>

namespace gdmft {

struct MeanErr {
    double mean = 0, stderr_ = 0, sd = 0;
    std::size_t n = 0;
};

inline MeanErr mean_err(const std::vector<double>& v) {
    MeanErr r;
    r.n = v.size();
    if (r.n == 0) return r;
    for (double x : v) r.mean += x;
    r.mean /= r.n;
    if (r.n > 1) {
        double ss = 0;
        for (double x : v) ss += (x - r.mean) * (x - r.mean);
        r.sd = std::sqrt(ss / (r.n - 1));
        r.stderr_ = r.sd / std::sqrt(static_cast<double>(r.n));
    }
    return r;
}

}  // namespace gdmft
