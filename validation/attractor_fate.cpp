#include "validation/attractor_fate.hpp"

#include "numerics/errors.hpp"
#include "validation/integrator.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace gdmft::sim {

void FateOptions::validate() const {
    if (N < 2) throw BadInput("N", "must be >= 2");
    if (networks < 1) throw BadInput("networks", "must be >= 1");
    if (trajectories < 1) throw BadInput("trajectories", "must be >= 1");
    if (!(init_std > 0) || !std::isfinite(init_std)) throw BadInput("init_std", "must be a finite number > 0");
    if (!(t_max > 0) || !std::isfinite(t_max)) throw BadInput("t_max", "must be a finite number > 0");
    if (!(dt > 0) || dt > 0.5) throw BadInput("dt", "must be in (0, 0.5] (RK4 step)");
    if (!(check_interval >= dt) || check_interval > t_max)
        throw BadInput("check_interval", "must be between dt and t_max");
    if (!(speed_threshold > 0)) throw BadInput("speed_threshold", "must be > 0");
}

FateSummary attractor_fates(const ModelParams& m, const FateOptions& o) {
    m.validate();
    o.validate();
    FateSummary out;
    const int M = o.trajectories;
    const double total_time = o.t_max * o.networks;
    Progress progress(o.observer, "fate N=" + std::to_string(o.N), total_time);
    for (int k = 0; k < o.networks; ++k) {
        const std::uint64_t seed = derive_seed(o.seed, static_cast<std::uint64_t>(k));
        Network net(m, {o.N, seed, o.single_precision, false});
        const Eigen::Index N = static_cast<Eigen::Index>(o.N);
        Eigen::MatrixXd X(static_cast<Eigen::Index>(net.dim()), M), dX;
        for (int j = 0; j < M; ++j) X.col(j) = o.init_std * net.initial_state(j);
        Columns cols{M, 0};
        const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
        IntegratorOptions rk4;
        rk4.dt = o.dt;
        Integrator integ(rk4);
        std::vector<TrajectoryFate> fates(static_cast<std::size_t>(M));
        for (int j = 0; j < M; ++j) {
            fates[static_cast<std::size_t>(j)].network_seed = seed;
            fates[static_cast<std::size_t>(j)].network = k;
            fates[static_cast<std::size_t>(j)].trajectory = j;
        }
        const double bound = 2.0 * std::max(X.cwiseAbs().maxCoeff(), net.state_bound()) + 1.0;
        double t = 0;
        int open = M;
        auto check = [&]() {
            dX.resize(X.rows(), X.cols());
            net.rhs(X, dX, cols);
            for (int j = 0; j < M; ++j) {
                auto& fj = fates[static_cast<std::size_t>(j)];
                fj.final_q = X.col(j).head(N).squaredNorm() / static_cast<double>(o.N);
                fj.final_speed = dX.col(j).head(N).squaredNorm() / static_cast<double>(o.N);
                if (!fj.settled && fj.final_speed < o.speed_threshold) {
                    fj.settled = true;
                    fj.t_settle = t;
                    --open;
                }
            }
        };
        while (t < o.t_max - 1e-9 && open > 0) {
            integ.advance(f, X, t, std::min(o.t_max, t + o.check_interval));
            if (!X.allFinite() || X.cwiseAbs().maxCoeff() > bound)
                throw NumericalFailure("fate: network " + std::to_string(k) + " blew up by t = " + std::to_string(t) +
                                       " (use a smaller --dt)");
            check();
            progress.update(k * o.t_max + t);
        }
        out.fates.insert(out.fates.end(), fates.begin(), fates.end());
    }
    progress.finish();

    double exposure = 0;
    std::vector<double> times;
    for (const auto& fj : out.fates) {
        ++out.total;
        if (fj.settled) {
            ++out.settled;
            exposure += fj.t_settle;
            times.push_back(fj.t_settle);
        } else {
            exposure += o.t_max;
        }
    }
    const double p = static_cast<double>(out.settled) / out.total;
    out.fraction_settled = p;
    out.fraction_err = std::sqrt(std::max(p * (1 - p), 0.0) / out.total);
    if (out.settled > 0) {
        out.lifetime = exposure / out.settled;
        out.lifetime_err = out.lifetime / std::sqrt(static_cast<double>(out.settled));
        std::sort(times.begin(), times.end());
        const std::size_t n = times.size();
        out.median_settle = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    } else {
        // No event in total exposure T: the exponential mean exceeds T / 3 at 95% (P(0 events) = e^-3).
        out.lifetime_lower_bound = exposure / 3.0;
    }
    return out;
}

}  // namespace gdmft::sim
