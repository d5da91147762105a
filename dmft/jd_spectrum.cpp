// Large-N spectrum of J D (see the header and docs/complexity.md).
#include "dmft/jd_spectrum.hpp"

#include "numerics/brent.hpp"

#include <cmath>
#include <numbers>

namespace gdmft {

namespace {
double mean_d2(const DiagonalLaw& law) {
    double a = 0;
    for (std::size_t k = 0; k < law.d.size(); ++k) a += law.w[k] * law.d[k] * law.d[k];
    return a;
}
}  // namespace

double jd_hermitized_s(const DiagonalLaw& law, double g, double r) {
    const double g2 = g * g, r2 = r * r;
    if (r2 >= g2 * mean_d2(law)) return 0.0;
    // h(s) = <g^2 d^2 / (r^2 + g^2 s d^2)> - 1 decreases in s, h(0) > 0 and h(1) <= 0 (<...> <= 1/s).
    auto h = [&](double s) {
        double a = 0;
        for (std::size_t k = 0; k < law.d.size(); ++k) {
            const double gd2 = g2 * law.d[k] * law.d[k];
            a += law.w[k] * gd2 / (r2 + s * gd2);
        }
        return a - 1.0;
    };
    if (h(1.0) >= 0) return 1.0;  // r = 0 only
    const auto root = brent_root(h, 0.0, 1.0, 1e-14, 1e-16);
    return root.ok ? root.x : 0.0;
}

double jd_log_det_rate(const DiagonalLaw& law, double g) {
    const double s = jd_hermitized_s(law, g, 1.0);
    if (s <= 0) return 0.0;
    double a = 0;
    for (std::size_t k = 0; k < law.d.size(); ++k) a += law.w[k] * std::log1p(g * g * s * law.d[k] * law.d[k]);
    return 0.5 * (a - s);
}

double jd_unstable_fraction(const DiagonalLaw& law, double g, int theta_points) {
    const double R = std::sqrt(g * g * mean_d2(law));
    if (R <= 1) return 0.0;
    const double theta_max = std::acos(1.0 / R);
    // Gauss-Legendre would need nodes; the integrand is smooth on [0, theta_max) and vanishes linearly
    // at theta_max, so composite Simpson with an even number of panels is enough (checked against the
    // closed form for D = I in the tests).
    const int n = 2 * ((theta_points + 1) / 2);
    const double h = theta_max / n;
    double acc = 0;
    for (int i = 0; i <= n; ++i) {
        const double th = i * h;
        const double c = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        acc += c * jd_hermitized_s(law, g, 1.0 / std::cos(th));
    }
    return acc * h / 3.0 / std::numbers::pi;
}

}  // namespace gdmft
