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
