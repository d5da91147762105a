#pragma once
// The spectrum of the finite-N Jacobian (THEORY.md section 4): the dense Jacobian of the network's right-hand side,
// built from its exact tangent columns applied to the identity (no second copy of the equations), its eigenvalues,
// Newton's method to a fixed point, and the comparison of the eigenvalues with the support predicted by the DMFT.
#include "dmft/support_boundary.hpp"
#include "validation/integrator.hpp"
#include "validation/network.hpp"
#include "numerics/progress.hpp"

#include <Eigen/Dense>

#include <complex>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gdmft::sim {

// F(x) = dx/dt of one trajectory.
Eigen::VectorXd rhs_of(const Network& net, const Eigen::VectorXd& x);

// The dense Jacobian dF/dx at x (dim x dim). Column k is the tangent column of Network::rhs for the unit vector e_k;
// the identity is fed `block` columns at a time (matrix-matrix products, bounded memory).
Eigen::MatrixXd dense_jacobian(const Network& net, const Eigen::VectorXd& x, int block = 512);

// The fixed-point equations h = Jh sigma_r(r) phi(h) + I, z = Jz phi(h), r = Jr phi(h) as residuals R(x):
// -h + Jh sigma_r phi + I (read off F_h as F_h tau_h / sigma_z, so a closed clock does not hide it), tau_z F_z, tau_r F_r.
// F = rhs_of(net, x). fixed_point_residual is max |R|.
Eigen::VectorXd fixed_point_equations(const Network& net, const Eigen::VectorXd& x, const Eigen::VectorXd& F);
double fixed_point_residual(const Network& net, const Eigen::VectorXd& x, const Eigen::VectorXd& F);

struct NewtonOptions {
    const Observer* observer = nullptr;  // progress and log lines (numerics/progress.hpp); nullptr = silent
    double tol = 1e-10;       // on fixed_point_residual
    int max_iterations = 50;
    int max_halvings = 30;    // backtracking line search on |F|: step 1, 1/2, 1/4, ...
    void validate() const;    // throws BadInput naming the option
};

struct NewtonResult {
    bool converged = false;
    std::string message;
    int iterations = 0;
    double residual = std::numeric_limits<double>::quiet_NaN();  // fixed_point_residual at x
    std::vector<double> history;                                  // residual before each iteration, then the last
    Eigen::VectorXd x;
};

// Damped Newton on F(x) = 0 with the dense Jacobian and a backtracking line search (sufficient decrease of |R|_2,
// the residual of the fixed-point equations: unlike |F| it does not hide units whose clock sigma_z is nearly closed).
NewtonResult newton_fixed_point(const Network& net, const Eigen::VectorXd& x0, const NewtonOptions& o);

// Fixed points do not depend on the z gate (THEORY.md section 4), but Newton with a spread clock stalls far from them:
// units with sigma_z ~ 0 have a tiny F and an O(1) equation residual, and the Jacobian's sigma_z' D term bends the step.
// So with alpha_z != 0 the search runs in two stages: Newton on the twin network whose clock is frozen at sigma_z = 1/2
// (frozen_clock; built with net_opt, so Jh, Jr and the input are the same draws; state (h, r)), then Newton on the
// network itself from there (z = Jz phi(h) filled in), which converges at once. With alpha_z = 0: newton_fixed_point.
ModelParams frozen_clock(const ModelParams& p);
NewtonResult find_fixed_point(const Network& net, const NetworkOptions& net_opt, const Eigen::VectorXd& x0,
                              const NewtonOptions& o);

// All eigenvalues of a real square matrix (Eigen::EigenSolver, no eigenvectors), sorted by decreasing real part.
// Throws NumericalFailure if the QR iteration does not converge.
Eigen::VectorXcd eigenvalues_of(const Eigen::MatrixXd& J);

// One value per unit of h, the drive D = -h + Jh sigma_r phi + I (= F_h tau_h / sigma_z), and z, r when simulated.
SiteSamples site_samples(const Network& net, const Eigen::VectorXd& x);

// The Jacobian of net's layout assembled from per-unit factors (sigma_z, sigma_z' D, sigma_r phi', sigma_r' phi, phi' of
// the samples s, one per unit) and given coupling matrices Jh, Jz, Jr (N x N; Jz, Jr unused when that gate is not
// simulated): rows h: (sigma_z/tau_h) [-y_h + Jh (sigma_r phi' y_h + sigma_r' phi y_r)] + (sigma_z' D/tau_h) y_z; rows z, r:
// (-y + J phi' y_h)/tau; instantaneous gates (tau = 0) are eliminated (y_z = Jz phi' y_h). With the network's own
// couplings it is dense_jacobian (the per-unit structure the support formula assumes); with fresh ones it is the
// boundary model's own random matrix. s may hold M != N units (then the layout is net's with M units).
Eigen::MatrixXd jacobian_from_factors(const Network& net, const SiteSamples& s, const Eigen::MatrixXd& Jh,
                                      const Eigen::MatrixXd& Jz, const Eigen::MatrixXd& Jr);

// The exact ensemble of a snapshot: `draws` matrices jacobian_from_factors with fresh couplings N(0, g^2/M), each from
// its own stream derive_seed(seed, k); with size M > 0 the units are first resampled with replacement (to M units, same
// stream), else M = N and the snapshot's own units are kept. Its support as M -> infinity is exactly that of
// support_model_units(s), so the spread of `rightmost` around the predicted point is the finite-size edge effect free of
// any correlation between the state and the couplings.
struct ExactEnsemble {
    std::size_t size = 0;
    std::vector<double> rightmost;  // largest real part of each draw's spectrum
    double mean = std::numeric_limits<double>::quiet_NaN(), sd = std::numeric_limits<double>::quiet_NaN();
};
ExactEnsemble exact_ensemble(const Network& net, const SiteSamples& s, int draws, std::uint64_t seed, std::size_t size = 0,
                             const Observer* observer = nullptr);

// Where the spectrum is taken.
enum class SpectrumAt { FixedPoint, Snapshot };
SpectrumAt parse_spectrum_at(const std::string& s);  // "fixedpoint" | "snapshot"; throws BadInput("at", ...)
std::string to_string(SpectrumAt a);

// A gate block that does not feed back into h contributes `count` eigenvalues at exactly -1/tau (THEORY.md 4):
// the z block at a fixed point (J_hz = sigma_z' D / tau_h = 0), the r block when the r term vanishes (phi = 0, g_r = 0).
// They are predicted point masses outside F's description and are excluded from the bulk.
struct OutlierCluster {
    std::string block;               // "z" or "r"
    std::complex<double> point;      // -1/tau
    int count = 0;                   // N
    double max_distance = 0;         // of the `count` eigenvalues nearest to the point
};

struct SpectrumComparison {
    std::vector<OutlierCluster> outliers;
    std::vector<char> outlier;       // per eigenvalue: 1 if assigned to an outlier cluster
    int n_eigenvalues = 0, n_bulk = 0;
    double rightmost_measured = std::numeric_limits<double>::quiet_NaN();  // max Re over the bulk
    double fraction_inside = std::numeric_limits<double>::quiet_NaN();           // bulk with F >= 1
    double fraction_inside_inflated = std::numeric_limits<double>::quiet_NaN();  // bulk inside the inflated support
    double near_zero_fraction = std::numeric_limits<double>::quiet_NaN();        // all eigenvalues with |lambda| < eps
    // The same count per unit (divided by N, not by the Jacobian's size N (1 + dynamic gates)): comparable
    // across gate settings; docs/marginal.md defines "marginal" by it.
    double near_zero_per_unit = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::complex<double>> outside;  // bulk eigenvalues outside the inflated support
};

// Bulk and outliers of `eig` (the spectrum of net's Jacobian) against the support of `s`, inflated by `inflate`
// (e.g. 1.05; in_inflated_support); near-zero fraction with radius `epsilon`.
SpectrumComparison compare_spectrum(const Network& net, const Eigen::VectorXcd& eig, const SupportModel& s,
                                    double inflate, double epsilon);

// The state at which the spectrum is taken: integrate the network (built with net_opt) from its initial state
// (trajectory 0) to t_burn with `integ`, then, at a fixed point, find_fixed_point from there.
struct SpectrumState {
    Eigen::VectorXd x;
    bool newton_run = false;
    NewtonResult newton;
};
SpectrumState prepare_state(const Network& net, const NetworkOptions& net_opt, SpectrumAt at, double t_burn,
                            const IntegratorOptions& integ, const NewtonOptions& newton);

}  // namespace gdmft::sim
