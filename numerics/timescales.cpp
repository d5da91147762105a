#include "numerics/timescales.hpp"

#include <cmath>
#include <limits>

namespace gdmft {

double correlation_time(const std::vector<double>& tau, const std::vector<double>& C, double C_inf) {
    if (C.empty() || tau.size() != C.size()) return std::numeric_limits<double>::quiet_NaN();
    const double target = (C[0] - C_inf) / std::exp(1.0);
    for (std::size_t k = 1; k < C.size(); ++k) {
        const double a = C[k - 1] - C_inf, b = C[k] - C_inf;
        if (b <= target) return tau[k - 1] + (tau[k] - tau[k - 1]) * (a - target) / (a - b);
    }
    return std::numeric_limits<double>::quiet_NaN();
}

double plateau_from_time_averages(const std::vector<double>& C, double S2, std::size_t L) {
    // q (1 - w/L) = S2 - c/L with w = sum (1 - |k|/L) and c = sum (1 - |k|/L) C_k over |k| < min(n, L).
    double w = 1, c = C.empty() ? 0.0 : C[0];
    for (std::size_t k = 1; k < C.size() && k < L; ++k) {
        const double f = 1 - double(k) / double(L);
        w += 2 * f;
        c += 2 * f * C[k];
    }
    return (S2 - c / double(L)) / (1 - w / double(L));
}

double mean_response_time(const std::vector<double>& tau, const std::vector<double>& R) {
    double num = 0, den = 0;
    for (std::size_t k = 1; k < R.size() && k < tau.size(); ++k) {
        const double h = tau[k] - tau[k - 1];
        num += 0.5 * h * (tau[k] * R[k] + tau[k - 1] * R[k - 1]);
        den += 0.5 * h * (R[k] + R[k - 1]);
    }
    return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace gdmft
