#include "numerics/chebyshev.hpp"
#include "numerics/errors.hpp"

#include <algorithm>
#include <numbers>
#include <stdexcept>

namespace gdmft {

std::vector<double> Chebyshev::nodes(double a, double b, int N) {
    std::vector<double> x(N + 1);
    const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
    for (int j = 0; j <= N; ++j) x[j] = mid + half * std::cos(std::numbers::pi * j / N);
    if (N > 0) {
        x[0] = b;  // exact endpoints (no rounding in cos(0), cos(pi))
        x[N] = a;
    }
    return x;
}

Chebyshev::Chebyshev(double a, double b, const std::vector<double>& v) : a_(a), b_(b) {
    if (v.empty()) throw BadInput("values", "no values (Chebyshev)");
    const int N = static_cast<int>(v.size()) - 1;
    if (N == 0 || !(b > a)) {
        coef_ = {v[0]};
        return;
    }
    // Type-I cosine transform: c_k = (2/N) sum''_j v_j cos(pi j k / N), halved at k = 0 and k = N
    // (sum'' halves the first and last terms). cos(pi m / N) depends on m mod 2N only: tabulate it.
    std::vector<double> ctab(2 * N);
    for (int m = 0; m < 2 * N; ++m) ctab[m] = std::cos(std::numbers::pi * m / N);
    coef_.assign(N + 1, 0.0);
    for (int k = 0; k <= N; ++k) {
        double s = 0.5 * (v[0] + v[N] * ctab[(static_cast<long>(N) * k) % (2 * N)]);
        for (int j = 1; j < N; ++j) s += v[j] * ctab[(static_cast<long>(j) * k) % (2 * N)];
        coef_[k] = 2.0 * s / N;
    }
    coef_[0] *= 0.5;
    coef_[N] *= 0.5;
}

double Chebyshev::operator()(double x) const {
    if (coef_.size() == 1) return coef_[0];
    x = std::clamp(x, a_, b_);
    const double t = (2 * x - a_ - b_) / (b_ - a_);
    double b1 = 0, b2 = 0;
    for (std::size_t k = coef_.size() - 1; k >= 1; --k) {
        const double b0 = 2 * t * b1 - b2 + coef_[k];
        b2 = b1;
        b1 = b0;
    }
    return t * b1 - b2 + coef_[0];
}

double Chebyshev::integral() const {
    // int_{-1}^{1} T_k = 2 / (1 - k^2) for even k, 0 for odd k.
    double s = 0;
    for (std::size_t k = 0; k < coef_.size(); k += 2) s += coef_[k] * 2.0 / (1.0 - double(k) * double(k));
    return 0.5 * (b_ - a_) * s;
}

double Chebyshev::tail() const {
    double t = 0;
    const std::size_t n = coef_.size();
    for (std::size_t k = n > 4 ? n - 4 : 0; k < n; ++k) t = std::max(t, std::abs(coef_[k]));
    return t;
}

}  // namespace gdmft
