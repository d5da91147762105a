#include "numerics/gaussian_average.hpp"

#include <numbers>

namespace gdmft::gauss {

Rule Rule::trapezoid(int n, double half_width) {
    Rule r;
    r.x.resize(n);
    r.w.resize(n);
    const double h = 2 * half_width / (n - 1);
    double total = 0;
    for (int k = 0; k < n; ++k) {
        r.x[k] = -half_width + k * h;
        r.w[k] = std::exp(-0.5 * r.x[k] * r.x[k]);
        total += r.w[k];
    }
    for (double& w : r.w) w /= total;  // normalise exactly: removes the O(tail) bias of the window
    return r;
}

const Rule& default_rule() {
    static const Rule r = Rule::trapezoid(401, 9.0);
    return r;
}

const Rule& coarse_rule() {
    static const Rule r = Rule::trapezoid(161, 8.5);
    return r;
}

double erf_pair_closed_form(double var_x, double var_y, double cov) {
    const double k = std::numbers::pi / 2;
    return (2 / std::numbers::pi) * std::asin(k * cov / std::sqrt((1 + k * var_x) * (1 + k * var_y)));
}

}  // namespace gdmft::gauss
