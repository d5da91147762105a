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

double trapezoid_step(double d, double tol) {
    // On the line Im x = y (0 < y <= d) the Gaussian weight grows by e^{y^2/2}, so the error is
    // ~ exp(y^2/2 - 2 pi y / h): with y = min(d, sqrt(L)), L = ln(1/tol), h = 2 pi y / (L + y^2/2).
    const double L = std::log(1.0 / tol);
    const double y = std::min(d, std::sqrt(L));
    return std::min(0.5, 2 * std::numbers::pi * y / (L + 0.5 * y * y));
}

Rule rule_for_strip(double d, double tol) {
    constexpr double half_width = 8.5;
    const double h = trapezoid_step(d, tol);
    int n = 2 * static_cast<int>(std::ceil(half_width / h)) + 1;
    n = std::max(n, 35);
    return Rule::trapezoid(n, half_width);
}

double erf_pair_closed_form(double var_x, double var_y, double cov) {
    const double k = std::numbers::pi / 2;
    return (2 / std::numbers::pi) * std::asin(k * cov / std::sqrt((1 + k * var_x) * (1 + k * var_y)));
}

}  // namespace gdmft::gauss
