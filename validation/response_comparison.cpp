#include "validation/response_comparison.hpp"

#include "numerics/interpolate.hpp"

#include <algorithm>

namespace gdmft::sim {

ResponseComparison compare_response(const PulseResult& r, const StationaryResult* dmft) {
    ResponseComparison c;
    c.tau_sim = mean_time(r.t, r.mean.m);
    if (dmft != nullptr) {
        c.done = true;
        for (double t : r.t) c.R.push_back(interpolate_or_nan(dmft->tau, dmft->R, t));
        while (c.n < c.R.size() && std::isfinite(c.R[c.n])) ++c.n;
        if (c.n >= 2) {
            const std::vector<double> t(r.t.begin(), r.t.begin() + c.n);
            const std::vector<double> m(r.mean.m.begin(), r.mean.m.begin() + c.n);
            const std::vector<double> R(c.R.begin(), c.R.begin() + c.n);
            c.tau_sim = mean_time(t, m);  // over the common range
            c.tau_dmft = mean_time(t, R);
            c.rel_l2 = sim::rel_l2(t, m, R, c.n);
        }
    }
    for (std::size_t s = 0; s < r.t.size() && std::isnan(c.t_noise); ++s) {
        const double signal = c.done && s < c.n ? c.R[s] : std::abs(r.mean.m[s]);
        if (signal < 3 * r.noise_floor[s]) c.t_noise = r.t[s];
    }
    return c;
}

std::size_t readout_index(const PulseResult& r, double at) {
    const double t = at < 0 ? r.t.back() : at;
    const auto k = static_cast<std::size_t>(std::lround(t / r.sample_dt));
    return std::min(k, r.t.size() - 1);
}

}  // namespace gdmft::sim
