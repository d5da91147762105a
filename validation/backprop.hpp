#pragma once
// Exact finite-N backpropagation through time (THEORY.md 7; issue 13; docs/backprop.md).
//
// Per network: burn in (RK4, not differentiated) to x(t0); integrate the window [t0, t0 + T] with RK4 at
// step dt (the Integrator of integrator.hpp, so the trajectory is the project's RK4 trajectory); then run
// the adjoint backward with the exact transpose of each RK4 step (the discrete gradient of the
// integrator, through all four stages and the algebraic gates inside each stage), for the loss
//     L = w . h(t0 + T),   w_i iid N(0, 1)       (several readouts w: columns of one adjoint matrix).
// a(t_n) = dL/dx(t_n) at the step boundaries; dL/dJh, dL/dJz, dL/dJr are summed over every stage of every
// step. Memory: states at checkpoints every K steps; per segment the K steps are recomputed and their
// stage records stored. Long horizons: each readout's adjoint is rescaled by powers of two (exact), its
// scale kept as an integer exponent, so profiles are logarithms and never overflow on the way.
#include "dmft/model.hpp"
#include "numerics/progress.hpp"
#include "validation/network.hpp"

#include <Eigen/Dense>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace gdmft::sim {

// Readout k of a network draws w from derive_seed(derive_seed(network seed, kStreamReadout), k)
// (after network.hpp's streams 1-5, simulation.cpp's 6 and pulse_response.cpp's 7).
constexpr std::uint64_t kStreamReadout = 8;

// The differentiated window (grid and memory); shared by one network and a run over networks.
struct AdjointWindow {
    double horizon = 20;           // T: a multiple of dt (within 1e-9 relative), > 0
    double dt = 0.05;              // RK4 step
    double profile_spacing = 1.0;  // s: profile at t_before_horizon = 0, s, 2s, ... <= T; a multiple of dt
    double memory_limit = 1073741824.0;  // bytes for the plan (plan_memory), default 1 GiB
    int checkpoint_interval = 0;   // K steps between stored states; 0: the K that needs least memory
    int readout_group = 0;         // readouts per backward pass; 0: as many as the memory limit allows
    bool keep_gradients = false;   // also return dL/dx(t0) and the full dL/dJ matrices (small N: tests)

    void validate() const;  // throws BadInput naming the field (horizon, dt, profile_spacing, ...)
    std::size_t steps() const;            // T / dt
    std::size_t profile_stride() const;   // s / dt
};

// Bytes needed, computed before running. Accumulators: one dL/dJ set per readout of a group (the norm of
// each readout's gradient needs its own matrices); readouts beyond a group run in further backward
// passes that recompute the segments again (the checkpoints are shared).
struct MemoryPlan {
    std::size_t steps = 0, checkpoint_interval = 0, checkpoints = 0;
    int readout_group = 0, groups = 0;
    double checkpoint_bytes = 0;   // states at the checkpoints
    double segment_bytes = 0;      // stage records of one segment
    double accumulator_bytes = 0;  // dL/dJh (+ dL/dJz, dL/dJr) per readout of a group
    double workspace_bytes = 0;    // adjoint matrices, stage cotangents, GEMM batches
    double coupling_bytes = 0;     // the network's couplings
    double total_bytes = 0;
};

// The plan for networks of N units with `readouts` readouts each. Throws BadInput("horizon", ...) naming
// --memory-limit and the bytes needed when the checkpoints and a segment do not fit next to the couplings
// and one readout's accumulators, BadInput("memory-limit", ...) when even the couplings and one readout
// do not fit, BadInput("readout_group"/"checkpoint_interval", ...) when a given value does not fit.
MemoryPlan plan_memory(const ModelParams& p, std::size_t N, bool single_precision, int readouts,
                       const AdjointWindow& w);

enum class BackpropTermination {
    Finished,          // every step of the window
    ForwardNonFinite,  // the forward state became NaN/Inf (nonfinite_t_before_horizon: where)
    AdjointNonFinite,  // the adjoint became NaN/Inf in a step (nonfinite_t_before_horizon: where)
};
std::string to_string(BackpropTermination t);

// One network: logarithms (natural) of squared norms per readout, so that values beyond double range
// keep their value. Points not reached (after a non-finite adjoint) hold NaN; read `termination`.
struct NetworkGradient {
    std::uint64_t seed = 0;                // network seed (0 when the network was given)
    std::vector<double> t_before_horizon;  // profile points 0, s, 2s, ...
    Eigen::MatrixXd log_a_h2;              // points x readouts: log(|a_h|^2 / N)
    std::optional<Eigen::MatrixXd> log_a_z2, log_a_r2;  // present for gates with state rows
    Eigen::VectorXd log_grad_norm_Jh;      // per readout: log((1/N^2) sum_ij (dL/dJh_ij)^2)
    std::optional<Eigen::VectorXd> log_grad_norm_Jz, log_grad_norm_Jr;  // absent when alpha = 0
    BackpropTermination termination = BackpropTermination::Finished;
    std::optional<double> nonfinite_t_before_horizon;
    // keep_gradients only (true values; Inf where beyond double range):
    Eigen::MatrixXd dL_dx0;                       // dim x readouts: dL/dx(t0)
    std::vector<Eigen::MatrixXd> dL_dJh, dL_dJz, dL_dJr;  // per readout, N x N (Jz/Jr empty if absent)
    std::size_t steps = 0;
    double seconds_forward = 0, seconds_backward = 0;  // backward: recomputation, adjoint and gradients
};

// The window for one given network from the state x_t0 at t0 (dim rows) with readouts W (N x R).
NetworkGradient network_gradient(const Network& net, const Eigen::VectorXd& x_t0, const Eigen::MatrixXd& W,
                                 const AdjointWindow& w, const Observer* observer = nullptr);

// A mean with its standard error, kept as logarithms (values beyond double range stay usable).
struct LogEstimate {
    double log_mean = std::numeric_limits<double>::quiet_NaN();  // log of the mean; NaN: some member not finite
    double rel_err = std::numeric_limits<double>::quiet_NaN();   // standard error / mean (NaN: one member)
    int members = 0;
    std::optional<double> value() const;    // exp(log_mean) when it is a finite double
    std::optional<double> stderr_() const;  // value * rel_err when both are finite
};

struct ProfilePoint {
    double t_before_horizon = 0;
    LogEstimate a_h2;
    std::optional<LogEstimate> a_z2, a_r2;  // absent for a gate without state rows
};

struct BackpropOptions {
    const Observer* observer = nullptr;  // progress (numerics/progress.hpp); nullptr = silent
    std::size_t N = 1000;
    std::uint64_t seed = 1;       // network k has seed derive_seed(seed, k), as simulate does
    int networks = 1;
    int readouts = 4;             // per network
    double burn_in = 100;         // RK4 from Network::initial_state(0) (rounded up to whole steps of dt)
    // Then Newton to the network's fixed point (validation/fixed_point_start.hpp): for comparisons at a
    // stable fixed point that relaxation reaches too slowly (a spread clock, alpha_z != 0).
    bool start_at_fixed_point = false;
    bool single_precision = false;
    AdjointWindow window;
    void validate() const;        // throws BadInput naming the option
};

struct BackpropResult {
    // Means over readouts and networks; errors over networks, or over readouts with one network.
    std::vector<ProfilePoint> profile;
    LogEstimate grad_norm_Jh;
    std::optional<LogEstimate> grad_norm_Jz, grad_norm_Jr;  // absent when that gate has alpha = 0
    std::string stderr_over;      // "networks", or "readouts" (one network: readouts share its trajectory)
    // Smallest t_before_horizon at which a mean profile value is not a finite double (beyond double range,
    // or a network's adjoint became non-finite); absent when every point is finite.
    std::optional<double> nonfinite_t_before_horizon;
    std::vector<NetworkGradient> networks;
    MemoryPlan plan;
    double seconds = 0;
};

BackpropResult backprop_gradients(const ModelParams& p, const BackpropOptions& o);

// The means, errors and non-finite report of backprop_gradients for networks run by the caller
// (network_gradient with given networks, states or readouts); they must share the window and the model.
// The plan and seconds of the result are left at zero.
BackpropResult summarize_gradients(std::vector<NetworkGradient> networks);

// Least-squares slope of log a_h2 against t_before_horizon over [t_from, t_to] (the growth rate of
// |a_h|^2 going back from the horizon: 2 lambda_max in the chaotic phase), per network (log of its mean
// over readouts), averaged with the standard error over networks; with one network, per readout.
struct GrowthFit {
    double rate = std::numeric_limits<double>::quiet_NaN();
    double stderr_ = std::numeric_limits<double>::quiet_NaN();
    int members = 0, points = 0;
    std::string over;  // "networks" or "readouts"
};
GrowthFit fit_growth_rate(const BackpropResult& r, double t_from, double t_to);

}  // namespace gdmft::sim
