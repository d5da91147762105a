#include "dmft/tail_model.hpp"

#include <algorithm>
#include <cmath>

namespace gdmft {

double at_lag(const std::vector<double>& C, double dt, double t) {
    const double u = t / dt;
    const std::size_t k = std::min(static_cast<std::size_t>(std::floor(u)), C.size() - 2);
    const double w = u - double(k);
    return (1 - w) * C[k] + w * C[k + 1];
}

double first_crossing(const std::vector<double>& C, double q, double dt, double frac) {
    const double target = frac * (C[0] - q);
    for (std::size_t k = 1; k < C.size(); ++k) {
        const double a = C[k - 1] - q, b = C[k] - q;
        if (b <= target) return dt * (double(k - 1) + (a - target) / (a - b));
    }
    return std::numeric_limits<double>::quiet_NaN();
}

TailModel fit_tail(const std::vector<double>& C, double q, double dt, double eps) {
    TailModel m;
    m.eps = eps;
    if (!(C[0] - q > 0)) return m;
    m.t1 = first_crossing(C, q, dt, std::exp(-1.0));
    m.te = first_crossing(C, q, dt, eps);
    if (!std::isfinite(m.t1) || !std::isfinite(m.te) || !(m.te > m.t1)) return m;
    m.tau_t = (m.te - m.t1) / std::log(1 / (std::exp(1.0) * eps));
    m.applied = m.tau_t > 0;
    return m;
}

TailModel tail_at_anchors(const std::vector<double>& C, double q, double dt, double t1, double te) {
    TailModel m;
    const double D0 = C[0] - q;
    if (!(D0 > 0) || !(te > t1) || !(te < dt * double(C.size() - 1))) return m;
    const double Da = at_lag(C, dt, t1) - q, De = at_lag(C, dt, te) - q;
    if (!(De > 0) || !(Da > De)) return m;
    m.t1 = t1;
    m.te = te;
    m.eps = De / D0;
    m.tau_t = (te - t1) / std::log(Da / De);
    m.applied = true;
    return m;
}

void apply_tail(std::vector<double>& C, double q, double dt, const TailModel& m) {
    if (!m.applied) return;
    const double D0 = C[0] - q;
    for (std::size_t k = static_cast<std::size_t>(std::floor(m.te / dt)) + 1; k < C.size(); ++k)
        C[k] = q + m.eps * D0 * std::exp(-(double(k) * dt - m.te) / m.tau_t);
}

TailModel TailAnchors::update(const std::vector<double>& C, double q, double dt, double eps, bool* moved) {
    if (moved) *moved = false;
    TailModel m;
    if (set_) {
        m = tail_at_anchors(C, q, dt, t1_, te_);
        // Drift is judged against the level at which the anchors were placed, not against today's eps
        // (5 x the estimator noise fluctuates from one output to the next at small path counts), and a
        // model that does not apply for one output (noise between the anchors) is not a drift.
        const bool drifted = m.applied && moves_ < max_moves_ && (m.eps > factor_ * eps_ || m.eps < eps_ / factor_);
        if (!drifted) return m;
    }
    const TailModel fit = fit_tail(C, q, dt, eps);
    if (!fit.applied) return m;
    if (set_) {
        ++moves_;
        if (moved) *moved = true;
    }
    set_ = true;
    t1_ = fit.t1;
    te_ = fit.te;
    eps_ = eps;
    return tail_at_anchors(C, q, dt, t1_, te_);
}

}  // namespace gdmft
