#pragma once
// Where finite networks end up: started at a chosen size, does a trajectory settle on a fixed point or
// stay chaotic, and when does it settle (THEORY.md 6 and 8: bistability, and the finite-N chaotic
// state near a discontinuous transition that is a long transient ending on the fixed point).
//
// A trajectory of a network starts at h_i = init_std * x_i, x_i ~ N(0, 1) (Network::initial_state
// scaled; z = r = 0) and is integrated with RK4. Every `check_interval` time units the speed
// v = |dh/dt|^2 / N is evaluated; the trajectory has settled on a fixed point at the first check with
// v < speed_threshold (a chaotic state has v of order C_h(0), and near a fixed point v decays
// exponentially, so the settling time depends only logarithmically on the threshold). A trajectory not
// settled by t_max is censored at t_max.
#include "dmft/model.hpp"
#include "numerics/progress.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace gdmft::sim {

struct FateOptions {
    const Observer* observer = nullptr;
    std::size_t N = 1000;
    int networks = 8;            // independent networks, seeds derive_seed(seed, k)
    int trajectories = 4;        // starts per network, advanced together
    std::uint64_t seed = 1;
    double init_std = 1.0;       // spread of the initial h
    double t_max = 1000;
    double dt = 0.1;             // RK4 step
    double check_interval = 1.0;
    double speed_threshold = 1e-10;
    bool single_precision = false;
    void validate() const;       // throws BadInput naming the option
};

struct TrajectoryFate {
    std::uint64_t network_seed = 0;
    int network = 0, trajectory = 0;
    bool settled = false;        // reached a fixed point before t_max
    double t_settle = std::numeric_limits<double>::quiet_NaN();  // first check with v < threshold
    double final_q = 0;          // |h|^2 / N at the end (at settling: the fixed point's size)
    double final_speed = 0;      // v at the end
};

struct FateSummary {
    std::vector<TrajectoryFate> fates;
    int settled = 0, total = 0;
    double fraction_settled = 0, fraction_err = 0;  // binomial standard error
    // Lifetime of the chaotic state, exponential model with censoring at t_max: the maximum-likelihood
    // mean (total observed time / number settled) and its error (mean / sqrt(settled)); infinite with a
    // lower bound when nothing settled.
    double lifetime = std::numeric_limits<double>::infinity();
    double lifetime_err = std::numeric_limits<double>::quiet_NaN();
    double lifetime_lower_bound = 0;  // t_max * total / 3 when nothing settled (95% one-sided, Poisson)
    double median_settle = std::numeric_limits<double>::quiet_NaN();  // over settled trajectories
};

FateSummary attractor_fates(const ModelParams& m, const FateOptions& o);

}  // namespace gdmft::sim
