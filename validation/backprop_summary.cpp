// Runs over networks and readouts (backprop.hpp): burn-in, readout draws, means with errors kept as
// logarithms, and the growth-rate fit.
#include "validation/backprop.hpp"
#include "validation/fixed_point_start.hpp"

#include "numerics/errors.hpp"
#include "numerics/stats.hpp"
#include "validation/integrator.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace gdmft::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// log of the mean of exp(l) (log-sum-exp); NaN if any member is NaN.
double log_mean_exp(const std::vector<double>& l) {
    if (l.empty()) return kNaN;
    double m = -std::numeric_limits<double>::infinity();
    for (double v : l) {
        if (std::isnan(v)) return kNaN;
        m = std::max(m, v);
    }
    if (!std::isfinite(m)) return m;  // every member zero (-inf), or some +inf
    double s = 0;
    for (double v : l) s += std::exp(v - m);
    return m + std::log(s / static_cast<double>(l.size()));
}

// Mean and standard error of exp(l) over the members, as logarithm and relative error.
LogEstimate estimate(const std::vector<double>& l) {
    LogEstimate e;
    e.members = static_cast<int>(l.size());
    e.log_mean = log_mean_exp(l);
    if (!std::isfinite(e.log_mean)) {
        if (e.log_mean == -std::numeric_limits<double>::infinity()) e.rel_err = 0;
        return e;
    }
    std::vector<double> v;
    for (double x : l) v.push_back(std::exp(x - e.log_mean));  // mean 1
    if (v.size() > 1) e.rel_err = mean_err(v).stderr_;
    return e;
}

// Members of an estimate: per network the log of its mean over readouts (several networks), or per
// readout (one network). `get(k)` gives network k's per-readout logs.
template <class Get>
std::vector<double> members(std::size_t networks, Get get) {
    std::vector<double> out;
    for (std::size_t k = 0; k < networks; ++k) {
        const std::vector<double> l = get(k);
        if (networks > 1)
            out.push_back(log_mean_exp(l));
        else
            out = l;
    }
    return out;
}

std::vector<double> to_vector(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

Eigen::MatrixXd readout_weights(std::size_t N, int R, std::uint64_t network_seed) {
    Eigen::MatrixXd W(static_cast<Eigen::Index>(N), R);
    for (int r = 0; r < R; ++r) {
        NormalStream rng(derive_seed(derive_seed(network_seed, kStreamReadout), static_cast<std::uint64_t>(r)));
        for (Eigen::Index i = 0; i < W.rows(); ++i) W(i, r) = rng.normal();
    }
    return W;
}

}  // namespace

std::optional<double> LogEstimate::value() const {
    if (std::isnan(log_mean) || log_mean > std::log(std::numeric_limits<double>::max())) return std::nullopt;
    return std::exp(log_mean);
}

std::optional<double> LogEstimate::stderr_() const {
    const auto v = value();
    if (!v || !std::isfinite(rel_err)) return std::nullopt;
    const double e = *v * rel_err;
    if (!std::isfinite(e)) return std::nullopt;
    return e;
}

void BackpropOptions::validate() const {
    if (N < 2) throw BadInput("N", "must be >= 2");
    if (networks < 1) throw BadInput("networks", "must be >= 1");
    if (readouts < 1) throw BadInput("readouts", "must be >= 1");
    if (!std::isfinite(burn_in) || burn_in < 0) throw BadInput("burn_in", "must be a finite number >= 0");
    window.validate();
}

static void summarize(BackpropResult& res) {
    res.profile.clear();
    res.nonfinite_t_before_horizon.reset();
    res.grad_norm_Jz.reset(), res.grad_norm_Jr.reset();
    if (res.networks.empty()) return;
    const std::size_t K = res.networks.size();
    const auto& first = res.networks.front();
    res.stderr_over = K > 1 ? "networks" : "readouts";
    auto rows = [&](auto pick, Eigen::Index j) {
        return members(K, [&](std::size_t k) {
            const Eigen::MatrixXd& m = pick(res.networks[k]);
            return std::vector<double>(m.row(j).begin(), m.row(j).end());
        });
    };
    for (std::size_t j = 0; j < first.t_before_horizon.size(); ++j) {
        const Eigen::Index jj = static_cast<Eigen::Index>(j);
        ProfilePoint pt;
        pt.t_before_horizon = first.t_before_horizon[j];
        pt.a_h2 = estimate(rows([](const NetworkGradient& g) -> const Eigen::MatrixXd& { return g.log_a_h2; }, jj));
        if (first.log_a_z2)
            pt.a_z2 = estimate(rows([](const NetworkGradient& g) -> const Eigen::MatrixXd& { return *g.log_a_z2; }, jj));
        if (first.log_a_r2)
            pt.a_r2 = estimate(rows([](const NetworkGradient& g) -> const Eigen::MatrixXd& { return *g.log_a_r2; }, jj));
        const bool bad = !pt.a_h2.value() || (pt.a_z2 && !pt.a_z2->value()) || (pt.a_r2 && !pt.a_r2->value());
        if (bad && !res.nonfinite_t_before_horizon) res.nonfinite_t_before_horizon = pt.t_before_horizon;
        res.profile.push_back(pt);
    }
    for (const auto& g : res.networks)
        if (g.nonfinite_t_before_horizon &&
            (!res.nonfinite_t_before_horizon || *g.nonfinite_t_before_horizon < *res.nonfinite_t_before_horizon))
            res.nonfinite_t_before_horizon = g.nonfinite_t_before_horizon;
    auto norms = [&](auto pick) {
        return estimate(members(K, [&](std::size_t k) { return to_vector(pick(res.networks[k])); }));
    };
    res.grad_norm_Jh = norms([](const NetworkGradient& g) -> const Eigen::VectorXd& { return g.log_grad_norm_Jh; });
    if (first.log_grad_norm_Jz)
        res.grad_norm_Jz = norms([](const NetworkGradient& g) -> const Eigen::VectorXd& { return *g.log_grad_norm_Jz; });
    if (first.log_grad_norm_Jr)
        res.grad_norm_Jr = norms([](const NetworkGradient& g) -> const Eigen::VectorXd& { return *g.log_grad_norm_Jr; });
}

BackpropResult summarize_gradients(std::vector<NetworkGradient> networks) {
    if (networks.empty()) throw BadInput("networks", "must be >= 1");
    for (const auto& g : networks)
        if (g.t_before_horizon != networks.front().t_before_horizon ||
            g.log_a_h2.cols() != networks.front().log_a_h2.cols() ||
            g.log_a_z2.has_value() != networks.front().log_a_z2.has_value() ||
            g.log_a_r2.has_value() != networks.front().log_a_r2.has_value() ||
            g.log_grad_norm_Jz.has_value() != networks.front().log_grad_norm_Jz.has_value() ||
            g.log_grad_norm_Jr.has_value() != networks.front().log_grad_norm_Jr.has_value())
            throw BadInput("networks", "must share the profile points, the number of readouts and the model");
    BackpropResult res;
    res.networks = std::move(networks);
    summarize(res);
    return res;
}

BackpropResult backprop_gradients(const ModelParams& p, const BackpropOptions& o) {
    p.validate();
    o.validate();
    const auto t0 = std::chrono::steady_clock::now();
    BackpropResult res;
    res.plan = plan_memory(p, o.N, o.single_precision, o.readouts, o.window);
    for (int k = 0; k < o.networks; ++k) {
        const std::uint64_t seed = derive_seed(o.seed, static_cast<std::uint64_t>(k));
        NetworkOptions no;
        no.N = o.N, no.seed = seed, no.single_precision = o.single_precision;
        const Network net(p, no);
        Eigen::MatrixXd x = net.initial_state(0);
        if (o.burn_in > 0) {
            const Columns cols{1, 0};
            const System f = [&](const Eigen::MatrixXd& X, Eigen::MatrixXd& dX, double) { net.rhs(X, dX, cols); };
            Integrator integ({IntegratorKind::Rk4, o.window.dt});
            double t = 0;
            integ.advance(f, x, t, o.burn_in);
            if (!x.allFinite())
                throw NumericalFailure("backprop: the state of network " + std::to_string(k) +
                                       " became non-finite during the burn-in (lower dt)");
        }
        if (o.start_at_fixed_point) x.col(0) = fixed_point_start(net, seed, x.col(0)).x;
        NetworkGradient g = network_gradient(net, x.col(0), readout_weights(o.N, o.readouts, seed), o.window, o.observer);
        g.seed = seed;
        res.networks.push_back(std::move(g));
    }

    summarize(res);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

GrowthFit fit_growth_rate(const BackpropResult& r, double t_from, double t_to) {
    GrowthFit fit;
    if (r.networks.empty()) return fit;
    const auto& t = r.networks.front().t_before_horizon;
    std::vector<Eigen::Index> pts;
    for (std::size_t j = 0; j < t.size(); ++j)
        if (t[j] >= t_from - 1e-9 && t[j] <= t_to + 1e-9) pts.push_back(static_cast<Eigen::Index>(j));
    fit.points = static_cast<int>(pts.size());
    if (pts.size() < 2) return fit;
    const std::size_t K = r.networks.size();
    fit.over = K > 1 ? "networks" : "readouts";
    // Series: one per member (network means or readouts of the one network).
    std::vector<std::vector<double>> series;
    if (K > 1) {
        for (const auto& g : r.networks) {
            std::vector<double> y;
            for (Eigen::Index j : pts) y.push_back(log_mean_exp(std::vector<double>(g.log_a_h2.row(j).begin(), g.log_a_h2.row(j).end())));
            series.push_back(y);
        }
    } else {
        const auto& m = r.networks.front().log_a_h2;
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            std::vector<double> y;
            for (Eigen::Index j : pts) y.push_back(m(j, c));
            series.push_back(y);
        }
    }
    std::vector<double> slopes;
    for (const auto& y : series) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        const double n = static_cast<double>(pts.size());
        for (std::size_t k = 0; k < pts.size(); ++k) {
            const double x = t[static_cast<std::size_t>(pts[k])];
            sx += x, sy += y[k], sxx += x * x, sxy += x * y[k];
        }
        slopes.push_back((n * sxy - sx * sy) / (n * sxx - sx * sx));
    }
    for (double s : slopes)
        if (!std::isfinite(s)) return fit;  // a non-finite point in the range
    const MeanErr me = mean_err(slopes);
    fit.rate = me.mean;
    fit.stderr_ = slopes.size() > 1 ? me.stderr_ : kNaN;
    fit.members = static_cast<int>(slopes.size());
    return fit;
}

}  // namespace gdmft::sim
