#pragma once
// Deterministic Gaussian closure of the stationary DMFT for alpha_z = 0 (THEORY.md 2.3 and 2.5).
// solve_gaussian() (declared in dmft/stationary.hpp) is the entry point; the pieces below are exposed
// for tests.
//
// EQUATIONS SOLVED. With sigma_z = s0 = 1/(1+e^beta_z) constant, measure lags in u = s0 t / tau_h. The
// single site obeys dh/du = -h + eta_h + I, I = mu + s xi (static), so h is Gaussian with mean mu
// (eta_h has zero mean) and lag covariance C_h(u) = <h(t)h(t+u)> - mu^2. eta_h has covariance
// g_h^2 C_srphi(u), which tends to the plateau g_h^2 C_srphi(inf) > 0 when phi(h) has a static part
// (inputs, biases): eta_h = eta_static + eta_dyn with eta_static ~ N(0, g_h^2 C_srphi(inf)) constant in
// time. Filtering through dh/du = -h + ... passes the static parts unchanged and low-passes the rest:
//
//   C_h(u) = q + Delta(u),  Delta(inf) = 0,
//   q = g_h^2 C_sr(inf) C_phi(inf) + s^2                                    (plateau, q = q_h)
//   (1 - d^2/du^2) Delta(u) = g_h^2 [ C_sr(u) C_phi(u) - C_sr(inf) C_phi(inf) ]   (dynamic part)
//
// i.e. with a = s0/tau_h in real time, (1 - a^-2 d^2/dtau^2)(C_h - q_h) = g_h^2 (C_srphi - its plateau).
// C_phi(u) = <phi(x) phi(y)>, (x, y) ~ N(mu, c0) with covariance C_h(u) and c0 = C_h(0): a raw second
// moment, so C_phi(inf) = <<phi>_dyn^2>_static includes the squared static mean of phi. r has zero mean
// and C_sr(u) = <sigma_r(a) sigma_r(b)>, (a, b) ~ N(0, R0) with covariance C_r(u), R0 = C_r(0), where
//   tau_r = 0:  C_r = g_r^2 C_phi;
//   tau_r > 0:  C_r(u) = g_r^2 C_phi(inf) + Gamma(u),  (1 - rho_r^2 d^2/du^2) Gamma = g_r^2 (C_phi - C_phi(inf)),
//               rho_r = s0 tau_r / tau_h (the r filter in u units).
// z likewise with g_z, rho_z = s0 tau_z / tau_h (z does not feed back; only C_z is reported).
//
// tau_r = 0 is a Newtonian particle: with F(c) = g_h^2 C_sr(g_r^2 C_phi(c)) C_phi(c) + s^2 (c0 fixed),
// C_h'' = C_h - F(C_h) (using q = F(q)), potential V(c) = -c^2/2 + int F, and the chaotic solution
// starts at rest at c0 and reaches the maximum q of V: q = F(q) and the energy condition
//   E(c0) = V(c0) - V(q) = int_q^c0 (F(c) - c) dc = 0,   with int_c^c0 (F - c') dc' > 0 on (q, c0).
// (SCS: Delta0^2/2 = g^2 (<Phi^2> - <Phi>^2), Phi = log cosh, by Price's theorem.)
//
// ALGORITHM. (1) Fixed points (dmft/fixed_points.hpp): the static branch, and the bound c0 <= D_max
// where D_max is the largest root of D = U(D) (c0 - q = Delta(0) <= max of the source, so c0 <= F(c0; c0)).
// (2) The energy condition for tau_r = 0, scanned downward from D_max: the largest root c0 is the
// chaotic branch (none: the stationary state is the fixed point). (3) Its separatrix, integrated
// backward from the tail, is the initial guess on the lag grid. (4) Newton on the lag grid for the
// discretised equations (Jacobian from Price's theorem: dC_f/dc = <f'f'>, dC_f/dc0 = <f''f>), with the
// time-translation zero mode absent from the even (Neumann at u = 0) solution space. (5) tau_r > 0
// with a dynamic gate: continuation in rho_r from the tau_r = 0 solution.
//
// RESULT. termination = Converged for the chaotic solution (Newton step in C_h(0) below tol); when the
// energy condition has no root, NoChaoticSolution with the static fixed point as the stationary state
// (C_h(tau) = Delta_h, converged = true iff that fixed point is stable, lambda_max = (s0/tau_h)(-1 +
// sqrt(G)) when the r gate is instantaneous or constant); MaxIterations / Diverged / NotFinite otherwise
// (also when Newton collapses onto the static branch because the window is too short). The message
// records the energy-condition value of C_h(0), the grid, and a stable fixed point coexisting with chaos.
//
// DISCRETISATION. rho^2 y'' = y - S on u_k = k h is discretised by the exponentially fitted three-point
// scheme  y_{k-1} - 2 cosh(h/rho) y_k + y_{k+1} = a (S_{k-1} + S_{k+1}) + b S_k,
// a = 1 - 4 sinh^2(h/2rho) (rho/h)^2, b = -4 sinh^2(h/2rho) - 2a: exact for the homogeneous solutions
// and for cubic S, fourth order for smooth S (Numerov as h/rho -> 0), y = S as rho -> 0. Boundary
// conditions: even at u = 0 (y_{-1} = y_1); at the window end the ghost y_n = e^{-kappa h} y_{n-1}
// (Robin condition of the linearised tail, kappa from the linearisation at the plateau).
#include "dmft/model.hpp"
#include "dmft/stationary.hpp"
#include "numerics/gaussian_average.hpp"

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include <limits>
#include <string>
#include <vector>

namespace gdmft::closure {

// Pair tables of phi over h ~ N(mu, c0) for covariances in [c_lo, c0], and of sigma_r over r ~ N(0, R0).
gauss::PairTable phi_table(const ModelParams& m, double c0, double c_lo, double tol);
gauss::PairTable gate_r_table(const ModelParams& m, double R0, double c_lo, double tol);

// Pair averages at each lag of a stationary (or constant) Gaussian forward state with lag covariances
// C_h (raw, C_h[0] the variance about input_mean) and C_r (C_r[0] the variance): <phi phi>, <phi' phi'>,
// <sigma_r sigma_r>, <sigma_r' sigma_r'> (raw second moments). A fixed point is the constant case
// C_h(tau) = Delta_h, C_r(tau) = Delta_r. Used by the closure tangent and the closure adjoint.
struct LagPairAverages {
    std::vector<double> phi, dphi, sr, dsr;
};
LagPairAverages lag_pair_averages(const ModelParams& m, const std::vector<double>& C_h, const std::vector<double>& C_r,
                                  double tol = 1e-12);

// The tau_r = 0 energy condition at a trial c0: fills q (the plateau, the smallest root of q = F(q))
// and returns E(c0) = int_q^c0 (F - c) dc; NaN when no plateau exists below c0.
double energy_residual(const ModelParams& m, double c0, double tol, double* q_out = nullptr);

// The energy condition at one trial c0 with its validity checks (those energy_condition applies to a
// root): E(c0), the plateau q (NaN: none below c0), and `valid`: the plateau exists with
// 1 - F'(q) > 0 (kappa2 = 1 - F'(q), the squared tail rate) and the particle released at c0 does not
// turn before q (int_c^c0 (F - c') dc' > 0 on (q, c0), checked on 400 points). `valid` says nothing
// about E itself: a chaotic solution at c0 is E = 0 and valid. Used to follow the chaotic branch in c0
// (dmft/transitions.hpp).
struct EnergyPoint {
    double E = std::numeric_limits<double>::quiet_NaN();
    double q = std::numeric_limits<double>::quiet_NaN();
    double kappa2 = std::numeric_limits<double>::quiet_NaN();
    bool valid = false;
};
EnergyPoint energy_point(const ModelParams& m, double c0, double tol);

struct EnergyRoot {
    bool found = false;
    double c0 = std::numeric_limits<double>::quiet_NaN();
    double q = std::numeric_limits<double>::quiet_NaN();
    double kappa = std::numeric_limits<double>::quiet_NaN();  // tail rate at the plateau (u units)
    int evaluations = 0;
    std::string message;
};
// Largest root of E(c0) in (0, c_max] for tau_r = 0 (tau_r is ignored), with the validity check.
EnergyRoot energy_condition(const ModelParams& m, double c_max, double tol = 1e-10);

// solve_gaussian with the chaotic branch's energy root given instead of found by energy_condition's
// downward scan: for a point just past a fold of the chaotic branch, where the scan's 10% steps can
// miss the narrow window between the two roots (dmft/transitions.cpp). `root` must hold a valid root
// (found, c0, q, kappa) of the tau_r = 0 problem at m. lambda_max by the Schrodinger route as usual.
StationaryResult solve_gaussian_on_branch(const ModelParams& m, const StationaryOptions& o, const EnergyRoot& root);

// The discretised lag-grid equations. Unknowns x = [Delta_0..Delta_{n-1}, q, Gamma_0..Gamma_{n-1}]
// (Gamma only with a dynamic r gate: alpha_r != 0 and tau_r > 0). Residual rows: the Delta equations,
// the plateau equation q - g_h^2 C_sr(inf) C_phi(inf) - s^2, the Gamma equations.
class LagSystem {
public:
    LagSystem(const ModelParams& m, double h, std::size_t n, double table_tol = 1e-12);
    std::size_t n() const { return n_; }
    double h() const { return h_; }
    bool dynamic_r() const { return dyn_r_; }
    std::size_t size() const { return dyn_r_ ? 2 * n_ + 1 : n_ + 1; }
    std::size_t iq() const { return n_; }
    std::size_t iG(std::size_t k) const { return n_ + 1 + k; }

    // Everything the equations and the outputs need at a state x.
    struct Eval {
        double c0 = 0, q = 0, R0 = 0, Rq = 0;
        double P0 = 0, Pq = 0, Qq = 0;  // C_phi(0), C_phi(inf), C_sr(inf) (raw)
        std::vector<double> C, P, P1, R, Q, G1;  // C_h, C_phi, <phi'phi'>, C_r, C_sr, <sigma'sigma'> at each lag
        gauss::PairTable phi, sr;
        // Internal (for the Jacobian).
        double P1q = 0, P2q = 0, P10 = 0, P20 = 0, G1q = 0, G2q = 0;
        std::vector<double> P2, G2, S, Sr;
    };
    Eval evaluate(const Eigen::VectorXd& x) const;

    // Tail rates for the far-end ghost points (held fixed in the Jacobian): kappa for Delta and Gamma.
    // tail_rates(e) computes them from the linearisation at the plateau of the state e.
    void set_tail_rates(double kappa_h, double kappa_r) { kappa_h_ = kappa_h; kappa_r_ = kappa_r; }
    std::pair<double, double> tail_rates(const Eval& e) const;

    Eigen::VectorXd residual(const Eval& e, const Eigen::VectorXd& x) const;
    Eigen::SparseMatrix<double> jacobian(const Eval& e) const;

private:
    ModelParams m_;
    double h_;
    std::size_t n_;
    double table_tol_;
    bool dyn_r_;
    double rho_r_;
    double kappa_h_ = 1.0, kappa_r_ = 1.0;
};

}  // namespace gdmft::closure
