// Aging curves: the grids and the statistics over samples (see the header).
#include "dmft/aging_curves.hpp"

#include "numerics/errors.hpp"
#include "numerics/stats.hpp"

#include <algorithm>
#include <cmath>

namespace gdmft {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

MeanErr stats_of(const std::vector<double>& v) {
    MeanErr e = mean_err(v);
    if (v.size() < 2) e.stderr_ = nan_v;
    return e;
}

}  // namespace

void AgingGrid::validate(bool max_lag_given) const {
    if (waiting_times.empty()) throw BadInput("waiting_times", "needs at least one waiting time");
    for (std::size_t i = 0; i < waiting_times.size(); ++i) {
        const double t = waiting_times[i];
        if (!(std::isfinite(t) && t >= 0)) throw BadInput("waiting_times", "every waiting time must be a finite number >= 0");
        if (i > 0 && !(t > waiting_times[i - 1]))
            throw BadInput("waiting_times", "must be strictly increasing (e.g. 30,100,300,1000)");
    }
    if (!std::isfinite(max_lag)) throw BadInput("max_lag", "must be a finite number");
    if (max_lag_given && !(max_lag > 0)) throw BadInput("max_lag", "must be > 0 (lags are >= 0)");
    if (!(std::isfinite(min_lag) && min_lag > 0)) throw BadInput("aging_min_lag", "must be a finite number > 0");
    if (max_lag > 0 && min_lag > max_lag) throw BadInput("aging_min_lag", "must be <= max_lag");
    if (lags < 1) throw BadInput("aging_lags", "must be >= 1");
    if (lags > 10000) throw BadInput("aging_lags", "must be <= 10000");
}

void AgingGrid::check_step(double step) const {
    for (std::size_t i = 1; i < waiting_times.size(); ++i)
        if (std::llround(waiting_times[i] / step) == std::llround(waiting_times[i - 1] / step))
            throw BadInput("waiting_times", "two waiting times fall on the same time step (dt = " + std::to_string(step) + ")");
}

std::vector<double> log_step_grid(double first, double last, int count, double step) {
    std::vector<long long> k{0};
    const double a = std::log(std::max(first, step)), b = std::log(std::max(last, step));
    for (int i = 0; i < count; ++i) {
        const double x = count == 1 ? b : a + (b - a) * double(i) / double(count - 1);
        k.push_back(std::max(1LL, std::llround(std::exp(x) / step)));
    }
    std::sort(k.begin(), k.end());
    k.erase(std::unique(k.begin(), k.end()), k.end());
    std::vector<double> out;
    for (long long v : k) out.push_back(double(v) * step);
    return out;
}

AgingSample average(const std::vector<AgingSample>& samples) {
    AgingSample m = samples.at(0);
    const double n = double(samples.size());
    auto add = [n](std::vector<double>& acc, const std::vector<double>& x, bool first) {
        for (std::size_t i = 0; i < acc.size(); ++i) acc[i] = (first ? 0.0 : acc[i]) + x[i] / n;
    };
    for (std::size_t s = 0; s < samples.size(); ++s) {
        const bool first = s == 0;
        for (std::size_t w = 0; w < m.C.size(); ++w) {
            add(m.C[w], samples[s].C[w], first);
            add(m.C_end[w], samples[s].C_end[w], first);
        }
        add(m.C_tt, samples[s].C_tt, first);
    }
    return m;
}

AgingResult summarize_aging(const std::vector<double>& waiting_times, const std::vector<double>& lags,
                            const std::vector<double>& times, const std::vector<AgingSample>& samples) {
    AgingResult r;
    r.waiting_times = waiting_times;
    r.lags = lags;
    r.t = times;
    r.samples = static_cast<int>(samples.size());
    const std::size_t W = waiting_times.size(), L = lags.size(), S = samples.size();
    std::vector<double> v(S);
    // Normalised correlation of sample s at (w, l).
    auto norm = [&](std::size_t s, std::size_t w, std::size_t l) {
        const AgingSample& a = samples[s];
        return a.C[w][l] / std::sqrt(a.C_end[w][0] * a.C_end[w][l]);
    };
    for (std::size_t w = 0; w < W; ++w) {
        AgingCurve c;
        c.t_w = waiting_times[w];
        for (std::size_t l = 0; l < L; ++l) {
            for (std::size_t s = 0; s < S; ++s) v[s] = samples[s].C[w][l];
            const MeanErr e = stats_of(v);
            c.C_h.push_back(e.mean);
            c.C_h_err.push_back(e.stderr_);
            for (std::size_t s = 0; s < S; ++s) v[s] = norm(s, w, l);
            const MeanErr en = stats_of(v);
            c.C_h_norm.push_back(en.mean);
            c.C_h_norm_err.push_back(en.stderr_);
        }
        r.curves.push_back(std::move(c));
    }
    for (std::size_t i = 0; i < times.size(); ++i) {
        for (std::size_t s = 0; s < S; ++s) v[s] = samples[s].C_tt[i];
        const MeanErr e = stats_of(v);
        r.C_h_tt.push_back(e.mean);
        r.C_h_tt_err.push_back(e.stderr_);
    }
    double zmax = nan_v;
    for (std::size_t l = 0; l < L; ++l) {
        for (std::size_t s = 0; s < S; ++s) v[s] = norm(s, W - 1, l) - norm(s, 0, l);
        const MeanErr e = stats_of(v);
        r.norm_shift.push_back(e.mean);
        r.norm_shift_err.push_back(e.stderr_);
        if (l > 0 && W > 1 && e.stderr_ > 0) {
            const double z = std::abs(e.mean) / e.stderr_;
            if (!(z <= zmax)) zmax = z;
        }
    }
    r.max_shift_z = zmax;
    return r;
}

}  // namespace gdmft
