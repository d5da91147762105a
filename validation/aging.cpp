// Finite-N ageing test: see validation/aging.hpp.
#include "validation/aging.hpp"

#include "numerics/errors.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <sstream>
#include <utility>

namespace gdmft::sim {

namespace {

// What happens at one step index: waiting times that start there, (w, l) pairs read there, and the
// index of an equal-time sample (-1: none).
struct Event {
    std::vector<std::size_t> starts;
    std::vector<std::pair<std::size_t, std::size_t>> reads;
    long long time_index = -1;
};

// Every step at which something is measured, in time order.
std::map<long long, Event> schedule(const std::vector<long long>& kw, const std::vector<long long>& kl,
                                    const std::vector<long long>& kt) {
    std::map<long long, Event> ev;
    for (std::size_t w = 0; w < kw.size(); ++w) {
        ev[kw[w]].starts.push_back(w);
        for (std::size_t l = 0; l < kl.size(); ++l) ev[kw[w] + kl[l]].reads.emplace_back(w, l);
    }
    for (std::size_t i = 0; i < kt.size(); ++i) ev[kt[i]].time_index = static_cast<long long>(i);
    return ev;
}

std::vector<long long> steps_of(const std::vector<double>& t, double dt) {
    std::vector<long long> k;
    for (double x : t) k.push_back(std::llround(x / dt));
    return k;
}

}  // namespace

double AgingOptions::max_lag() const {
    return grid.max_lag >= 0 ? grid.max_lag : (grid.waiting_times.empty() ? 0.0 : grid.waiting_times.back());
}

void AgingOptions::validate() const {
    if (N < 2) throw BadInput("N", "must be >= 2");
    if (networks < 1) throw BadInput("networks", "must be >= 1");
    if (trajectories < 1) throw BadInput("trajectories", "must be >= 1");
    if (!(std::isfinite(integrator.dt) && integrator.dt > 0)) throw BadInput("dt", "must be a finite number > 0");
    grid.validate(grid.max_lag >= 0);
    if (!(max_lag() > 0))
        throw BadInput("max_lag", "the default max(t_w) is 0 here: give max_lag > 0");
    if (grid.min_lag > max_lag()) throw BadInput("aging_min_lag", "must be <= max_lag");
    grid.check_step(integrator.dt);
    const double t_end = grid.waiting_times.back() + max_lag();
    if (t_end / integrator.dt > 1e9) throw BadInput("dt", "more than 1e9 steps to max(t_w) + max_lag");
}

AgingResult measure_aging(const ModelParams& p, const AgingOptions& o) {
    p.validate();
    o.validate();
    const auto wall0 = std::chrono::steady_clock::now();
    const double dt = o.integrator.dt;
    const std::vector<double> lags = log_step_grid(o.grid.min_lag, o.max_lag(), o.grid.lags, dt);
    const std::vector<long long> kw = steps_of(o.grid.waiting_times, dt), kl = steps_of(lags, dt);
    const long long k_end = kw.back() + kl.back();
    const std::vector<double> times = log_step_grid(dt, double(k_end) * dt, o.grid.lags, dt);
    const std::map<long long, Event> events = schedule(kw, kl, steps_of(times, dt));
    const std::size_t W = kw.size(), L = kl.size(), N = o.N;
    const int M = o.trajectories;
    const long long chunk = std::max(1LL, std::llround(10.0 / dt));  // progress every ~10 time units

    std::vector<AgingSample> per_network, per_trajectory;
    for (int net_k = 0; net_k < o.networks; ++net_k) {
        const std::uint64_t seed = derive_seed(o.seed, static_cast<std::uint64_t>(net_k));
        const std::string label = "aging: network " + std::to_string(net_k + 1) + "/" + std::to_string(o.networks);
        Network net(p, {N, seed, o.single_precision, false});
        const Eigen::Index dim = static_cast<Eigen::Index>(net.dim());
        Eigen::MatrixXd X(dim, M);
        for (int m = 0; m < M; ++m) X.col(m) = net.initial_state(m);
        const Columns cols{M, 0};
        const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
        Integrator integ(o.integrator);
        Progress progress(o.observer, label, double(k_end) * dt);
        const double bound = 2.0 * std::max(X.cwiseAbs().maxCoeff(), net.state_bound()) + 1.0;

        AgingSample blank;
        blank.C.assign(W, std::vector<double>(L, 0.0));
        blank.C_end = blank.C;
        blank.C_tt.assign(times.size(), 0.0);
        std::vector<AgingSample> traj(static_cast<std::size_t>(M), blank);
        std::vector<std::vector<Eigen::VectorXd>> h_w(W, std::vector<Eigen::VectorXd>(static_cast<std::size_t>(M)));

        double t = 0;
        long long k = 0;
        for (const auto& [step, ev] : events) {
            while (k < step) {
                k = std::min(step, k + chunk);
                integ.advance(f, X, t, double(k) * dt);
                const bool finite = X.allFinite();
                if (!finite || X.cwiseAbs().maxCoeff() > bound) {
                    std::ostringstream os;
                    os << label << ": the state became " << (finite ? "larger than the bound of the exact dynamics" : "non-finite")
                       << " by t = " << t << " (the run blew up; use a smaller --dt)";
                    throw NumericalFailure(os.str());
                }
                progress.update(t);
            }
            for (int m = 0; m < M; ++m) {
                AgingSample& s = traj[static_cast<std::size_t>(m)];
                const Eigen::VectorXd h = X.col(m).head(static_cast<Eigen::Index>(N));
                const Eigen::VectorXd hc = h.array() - h.mean();
                const double var = hc.squaredNorm() / double(N);
                for (std::size_t w : ev.starts) h_w[w][static_cast<std::size_t>(m)] = hc;
                for (const auto& [w, l] : ev.reads) {
                    s.C[w][l] = hc.dot(h_w[w][static_cast<std::size_t>(m)]) / double(N);
                    s.C_end[w][l] = var;
                }
                if (ev.time_index >= 0) s.C_tt[static_cast<std::size_t>(ev.time_index)] = var;
            }
        }
        progress.finish();
        per_network.push_back(average(traj));
        per_trajectory.insert(per_trajectory.end(), traj.begin(), traj.end());
    }

    const bool over_networks = o.networks > 1 || o.trajectories == 1;
    std::vector<double> tw;
    for (long long x : kw) tw.push_back(double(x) * dt);
    AgingResult r = summarize_aging(tw, lags, times, over_networks ? per_network : per_trajectory);
    r.N = N;
    r.networks = o.networks;
    r.samples_over = over_networks ? "networks" : "trajectories";
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return r;
}

}  // namespace gdmft::sim
