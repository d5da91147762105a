// Options, the growth-rate fit and the log-value formatting shared by the adjoint routes.
#include "dmft/adjoint.hpp"

#include "numerics/errors.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <cstdio>

namespace gdmft {

void AdjointOptions::validate() const {
    if (!(horizon > 0) || !std::isfinite(horizon)) throw BadInput("horizon", "must be a positive number of tau_h");
    if (!(dt > 0) || !(dt <= horizon / 4)) throw BadInput("dt", "must be positive and at most horizon/4");
    const double steps = horizon / dt;
    if (std::abs(steps - std::round(steps)) > 1e-6 * steps)
        throw BadInput("dt", "must divide the horizon (horizon/dt = " + std::to_string(steps) + ")");
    const double per = profile_spacing / dt;
    if (profile_spacing != 0 && (!(profile_spacing > 0) || std::abs(per - std::round(per)) > 1e-6 * per ||
                                 profile_spacing > horizon))
        throw BadInput("profile-spacing", "must be a positive multiple of dt, at most the horizon");
    if (!(fit_from > 0 && fit_from < 1)) throw BadInput("fit-from", "must lie in (0, 1)");
    if (memory_limit == 0) throw BadInput("memory-limit", "must be positive");
}

double AdjointOptions::resolved_spacing() const {
    return profile_spacing > 0 ? profile_spacing : dt * std::max(1.0, std::round(0.5 / dt));
}

std::string format_log_value(double log_value, int digits) {
    if (std::isnan(log_value)) return "nan";
    if (log_value == -std::numeric_limits<double>::infinity()) return "0";
    char buf[64];
    if (std::abs(log_value) < 700) {
        std::snprintf(buf, sizeof buf, "%.*e", digits - 1, std::exp(log_value));
        return buf;
    }
    const double l10 = log_value / std::log(10.0);
    double e = std::floor(l10);
    double mant = std::pow(10.0, l10 - e);
    if (mant >= 9.9999999) mant = 1, e += 1;  // rounding at the printed precision
    std::snprintf(buf, sizeof buf, "%.*fe%+.0f", digits - 1, mant, e);
    return buf;
}

namespace detail {

std::pair<double, double> fit_growth(const std::vector<double>& s, const std::vector<double>& y, double s_min,
                                     bool with_power) {
    const int cols = with_power ? 3 : 2;
    std::vector<int> use;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] >= s_min && s[i] > 0 && std::isfinite(y[i])) use.push_back(static_cast<int>(i));
    if (static_cast<int>(use.size()) < cols + 1)
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    Eigen::MatrixXd X(use.size(), cols);
    Eigen::VectorXd b(use.size());
    // Centred, scaled columns: s spans [s_min, T] and ln s varies little, so the raw columns are nearly
    // collinear with the constant; centring keeps the normal equations well conditioned.
    double s_mean = 0, l_mean = 0;
    for (int i : use) s_mean += s[i], l_mean += std::log(s[i]);
    s_mean /= use.size(), l_mean /= use.size();
    for (std::size_t r = 0; r < use.size(); ++r) {
        const int i = use[r];
        X(r, 0) = 1;
        X(r, 1) = s[i] - s_mean;
        if (with_power) X(r, 2) = std::log(s[i]) - l_mean;
        b(r) = y[i];
    }
    const Eigen::VectorXd c = X.colPivHouseholderQr().solve(b);
    return {c(1), with_power ? c(2) : 0.0};
}

}  // namespace detail

}  // namespace gdmft
