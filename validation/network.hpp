#pragma once
// The finite-N gated network of THEORY.md section 1: couplings, quenched input, the layout of the state,
// the right-hand side and its exact Jacobian-vector product (the tangent dynamics).
//
// State layout (one column per trajectory or tangent vector):
//   rows [0, N)            h
//   rows [N, 2N)           z   (only if z is a state variable: tau_z > 0 and the z gate is simulated)
//   next N rows            r   (only if r is a state variable: tau_r > 0 and the r gate is simulated)
// A gate is simulated when its sensitivity alpha is nonzero, or when `track_gates` asks for it. A gate
// with alpha = 0 is the constant sigma(0) = 1/(1+e^beta) and costs nothing unless tracked. An
// instantaneous gate (tau = 0) is algebraic, z = Jz phi(h), and has no state rows.
//
// Column layout of a state matrix with M trajectories and K tangent vectors each: columns 0..M-1 are the
// trajectories, column M + m K + k is tangent vector k of trajectory m.
#include "dmft/model.hpp"
#include "validation/coupling_panels.hpp"
#include "validation/couplings.hpp"

#include <Eigen/Dense>

#include <cstdint>

namespace gdmft::sim {

struct NetworkOptions {
    std::size_t N = 1000;
    std::uint64_t seed = 1;        // network seed (couplings and input): one realization
    bool single_precision = false; // store couplings as float (halves memory traffic)
    bool track_gates = false;      // simulate z and r even when their gate is constant (for C_z, C_r)
    // With single_precision couplings: the tangent columns' coupling products also run in float (float
    // sums; trajectories keep double sums). About 4x faster; relative rounding ~1e-6 per product.
    bool single_precision_tangent = true;
};

// Stream ids under the network seed (documented so that other tools can reproduce the draws).
enum Stream : std::uint64_t { kStreamJh = 1, kStreamJz = 2, kStreamJr = 3, kStreamInput = 4, kStreamInit = 5 };

struct Columns {
    int M = 1;  // trajectories
    int K = 0;  // tangent vectors per trajectory
    int total() const { return M * (1 + K); }
    int base_of(int c) const { return c < M ? c : (c - M) / K; }
};

// Uniform inputs into the gate equations at one instant (THEORY.md 3, reset; dmft/gate_drive.hpp gives
// them as functions of time): tau_z dz_i/dt = -z_i + sum_j Jz_ij phi(h_j) + z, likewise r; an
// instantaneous gate is z_i = sum_j Jz_ij phi(h_j) + z. They drive trajectory columns only: an additive,
// state-independent input drops out of the tangent dynamics. A gate that is not simulated (constant,
// alpha = 0, untracked) ignores its input, which could not change sigma anyway.
struct GateInput {
    double z = 0.0, r = 0.0;
};

// Observables of one trajectory at one time: h, z, r (z, r empty when not simulated), sigma_z(z).
struct Observables {
    Eigen::VectorXd h, z, r, sigma_z;
};

class Network {
public:
    Network(const ModelParams& p, const NetworkOptions& o);

    std::size_t N() const { return N_; }
    std::size_t dim() const { return dim_; }
    bool z_simulated() const { return z_sim_; }
    bool r_simulated() const { return r_sim_; }
    bool z_in_state() const { return z_state_; }
    bool r_in_state() const { return r_state_; }
    const ModelParams& params() const { return p_; }
    const Eigen::VectorXd& input() const { return input_; }
    const CouplingMatrix& Jh() const { return Jh_; }
    const CouplingMatrix& Jgates() const { return Jg_; }  // [Jz; Jr] rows of the simulated gates
    // The same network (parameters, input, options, seed of the initial states) with other couplings of
    // the same shapes, e.g. one entry perturbed (finite-difference checks of coupling gradients).
    Network with_couplings(CouplingMatrix Jh, CouplingMatrix Jgates) const;
    // Bytes of coupling matrices streamed by one evaluation of the right-hand side.
    std::size_t bytes_per_rhs() const;
    static constexpr int kPanelColumns = 4;

    // A bound that the exact dynamics never exceeds once |x| is below it: |h_i| <= sum_j |Jh_ij| + |I_i|
    // (since |sigma_r phi| <= 1 and sigma_z > 0), |z_i| <= sum_j |Jz_ij|, likewise r. A numerical state
    // beyond it (or beyond its initial size) is a numerical instability.
    double state_bound() const { return bound_; }

    // Initial state of trajectory m: h_i ~ N(0, 1), z = r = 0, from stream (seed, kStreamInit, m).
    Eigen::VectorXd initial_state(int m) const;

    // dX/dt for every column: trajectories get the equations of motion, tangent columns the Jacobian of
    // their trajectory applied to them. All columns share the matrix products (matrix-matrix). `b` is the
    // gate input at this instant (zero: the undriven network, bit for bit). Without tangent columns the
    // products use CouplingMatrix::multiply; with kPanelColumns or more columns including tangents they
    // use packed copies of the couplings (coupling_panels.hpp, built on first use), whose sums do not
    // depend on the thread count either.
    void rhs(const Eigen::MatrixXd& X, Eigen::MatrixXd& dX, const Columns& cols, GateInput b = {}) const;

    // h, z, r, sigma_z of the trajectory in column c of X (instantaneous gates are computed here, with
    // the gate input b added).
    Observables observe(const Eigen::MatrixXd& X, int c, GateInput b = {}) const;

private:
    ModelParams p_;
    Phi phi_;
    Gate gz_, gr_;
    std::size_t N_, dim_;
    std::uint64_t seed_;
    bool z_sim_, r_sim_;      // gate variable is computed (dynamics or tracking)
    bool z_state_, r_state_;  // gate variable is part of the state (tau > 0)
    bool z_rhs_, r_rhs_;      // gate variable is needed in the right-hand side
    Eigen::Index z_row_ = -1, r_row_ = -1;  // first state row of z, r (-1: not in state)
    Eigen::Index gz_row_ = -1, gr_row_ = -1;  // first row of z, r in Jg's product (-1: absent)
    CouplingMatrix Jh_, Jg_;
    bool single_tangent_ = false;
    mutable CouplingPanels Jh_panels_, Jg_panels_;  // built on the first tangent product
    Eigen::VectorXd input_;
    double bound_ = 0;

    // Y = J X for the columns of `cols` (panels when there are tangent columns and enough columns).
    void product(const CouplingMatrix& J, CouplingPanels& panels, const Eigen::MatrixXd& X, Eigen::MatrixXd& Y,
                 const Columns& cols) const;

    // Workspace (one network is used by one integration at a time).
    mutable Eigen::MatrixXd P_, G_, Q_, U_, D_;
};

}  // namespace gdmft::sim
