#include "numerics/interpolate.hpp"

#include <algorithm>
#include <limits>

namespace gdmft {

namespace {
// The value at t for x_0 <= t; y_last beyond x_last.
double at(const std::vector<double>& x, const std::vector<double>& y, double t) {
    const auto it = std::upper_bound(x.begin(), x.end(), t);
    if (it == x.begin()) return y.front();
    if (it == x.end()) return y.back();
    const auto k = static_cast<std::size_t>(it - x.begin());
    const double w = (t - x[k - 1]) / (x[k] - x[k - 1]);
    return (1 - w) * y[k - 1] + w * y[k];
}
}  // namespace

std::vector<double> interpolate(const std::vector<double>& x, const std::vector<double>& y,
                                const std::vector<double>& xs) {
    std::vector<double> out(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) out[i] = at(x, y, xs[i]);
    return out;
}

double interpolate_or_nan(const std::vector<double>& x, const std::vector<double>& y, double t) {
    if (x.empty() || t < x.front() || t > x.back() * (1 + 1e-12)) return std::numeric_limits<double>::quiet_NaN();
    return at(x, y, t);
}

}  // namespace gdmft
