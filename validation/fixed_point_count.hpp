#pragma once
// Counting the fixed points of finite networks (`gdmft fixedpoint --count`; THEORY.md 10, docs/complexity.md).
//
// Fixed points solve F(h) = -h + Jh (sigma_r(r) phi(h)) + I = 0 with r = Jr phi(h): the z gate multiplies
// the h equation by sigma_z > 0 and the gate time constants only set how r and z relax to Jr phi, Jz phi,
// so neither moves a fixed point. Search, per network:
//   - Newton with a backtracking line search on the deflated residual, exact Jacobian
//       DF = -I + Jh [diag(sigma_r phi') + diag(sigma_r' phi) Jr diag(phi')]   (dense LU, Eigen);
//   - deflation: Newton runs on M(h) F(h), M = prod_k (|h - h_k|^-p + shift), so it is repelled from
//     every root already found (step h' = h + d0 / (1 - grad ln M . d0), d0 the plain Newton step);
//   - starts: Gaussian vectors at several radii, and points of a short trajectory of dh/dt = F(h);
//   - the odd symmetry h -> -h when phi is odd and there is no input; h = 0 is added when it is a root;
//   - each converged point is polished by plain Newton and certified by max_i |F_i| < residual_tol,
//     then deduplicated: a root within dedup_tol sqrt(N) (Euclidean) of a known one is the same root.
// Saturation: the starts are taken in a fixed order; `found_late` counts roots first found in the last
// half of them. Only found_late = 0 is `saturated`; otherwise the count is a lower bound.
#include "dmft/model.hpp"

#include <Eigen/Dense>

#include <algorithm>

#include <cstdint>
#include <vector>

namespace gdmft::sim {

struct CountOptions {
    std::size_t N = 10;
    int networks = 4;
    std::uint64_t seed = 1;
    // Starts per network; -1: automatic, max(600, 80 N) random and max(100, 8 N) trajectory starts (600 and
    // 100 left N = 40, g_eff = 3 unsaturated; 3000 and 300 saturated it: docs/complexity.md section 6).
    int random_starts = -1;                        // cycled over the radii
    std::vector<double> radii{0.3, 1.0, 2.0, 4.0}; // rms component of the random starts
    int trajectory_starts = -1;                    // points of one trajectory of dh/dt = F(h), dt = 0.05
    int resolved_random_starts() const { return random_starts >= 0 ? random_starts : std::max(600, 80 * int(N)); }
    int resolved_trajectory_starts() const { return trajectory_starts >= 0 ? trajectory_starts : std::max(100, 8 * int(N)); }
    double trajectory_spacing = 1.0;               // time between trajectory starts
    int newton_iterations = 100;
    double residual_tol = 1e-10;                   // certification: max_i |F_i|
    double dedup_tol = 1e-6;                       // |h - h_k| / sqrt(N) below this: the same root
    double deflation_power = 2, deflation_shift = 1;
    bool use_symmetry = true;                      // add -h when phi is odd and there is no input
};

struct CountedRoot {
    Eigen::VectorXd h;
    double norm2 = 0;       // |h|^2 / N
    double residual = 0;    // max_i |F_i|
    int unstable = 0;       // eigenvalues of DF with Re > 0
    bool stable = false;    // unstable == 0 and max Re < 0
    int found_at = 0;       // index of the start that found it (symmetry partners share it)
};

struct NetworkCount {
    std::uint64_t seed = 0;
    std::vector<CountedRoot> roots;
    int starts = 0;
    int found_late = 0;     // roots first found in the last half of the starts
    bool saturated = false;
    int failed_starts = 0;  // starts whose Newton did not converge
    double seconds = 0;
};

struct CountResult {
    std::vector<NetworkCount> networks;
    double mean_count = 0, stderr_count = 0, mean_log_count = 0, stderr_log_count = 0;
    bool saturated = false;       // every network saturated
    double mean_norm2 = 0;        // over all roots of all networks
    double unstable_fraction = 0; // mean over roots of (unstable directions) / N
    double seconds = 0;
};

// The residual F(h) and its Jacobian for one network (exposed for tests).
struct FixedPointSystem {
    ModelParams model;
    std::uint64_t seed = 0;  // the network seed: Jh, Jr and the input as Network draws them; the starts
    Eigen::MatrixXd Jh, Jr;
    Eigen::VectorXd input;
    FixedPointSystem(const ModelParams& m, std::size_t N, std::uint64_t seed);
    Eigen::VectorXd F(const Eigen::VectorXd& h) const;
    Eigen::MatrixXd DF(const Eigen::VectorXd& h) const;
    bool odd() const;  // h -> -h maps roots to roots (no input, alpha_r = 0; phi is odd)
};

NetworkCount count_fixed_points(const FixedPointSystem& sys, const CountOptions& opts);
// Throws BadInput for N < 2, networks < 1, no starts, or a tolerance <= 0.
CountResult count_fixed_points(const ModelParams& model, const CountOptions& opts);

}  // namespace gdmft::sim
