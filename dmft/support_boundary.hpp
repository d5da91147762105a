#pragma once
// The support of the Jacobian spectrum in the complex plane at large N (THEORY.md section 4).
//
// Eigenvalues lambda of the Jacobian fill the region F(lambda) >= 1, where
//
//   F(lambda) = g_h^2 A(lambda) [ a_h + g_r^2 a_r / |1 + tau_r lambda|^2 ]  +  g_z^2 a_z B(lambda) / |1 + tau_z lambda|^2,
//   A(lambda) = < sigma_z^2 / |tau_h lambda + sigma_z|^2 >,   B(lambda) = < sigma_z'^2 D^2 / |tau_h lambda + sigma_z|^2 >,
//   a_h = <sigma_r^2 phi'^2>,   a_r = <phi'^2> <sigma_r'^2 phi^2>,   a_z = <phi'^2>,
//
// with z ~ N(0, var_z) (z is Gaussian in the DMFT, at a fixed point and in the chaotic state), sigma_z = sigma_z(z),
// and D = eta_h + I - h the drive of the h equation: zero at a fixed point, so the z term only appears for the
// instantaneous Jacobian of a moving state. At a fixed point h, r, z are independent and a_h = <sigma_r^2><phi'^2>,
// a_r = <sigma_r'^2><phi^2><phi'^2>: the formula of THEORY.md. (Derivation: eliminating the gate components of an
// eigenvector leaves h = K(lambda) h with K = L1 Jh X + L2 Jz phi'/(1 + tau_z lambda); lambda is in the support when
// 1 is, i.e. when the mean squared row norm of K, F(lambda), is >= 1.)
//
// Points outside F's reach: a gate block that does not feed back into h (the z block at a fixed point, the r block when
// phi = 0 or g_r = 0) contributes N eigenvalues at exactly -1/tau_z or -1/tau_r, which F does not describe.
//
// Per-unit (joint) statistics. The derivation gives a variance profile per unit: row factors u1_i = g_h^2 L_i, u2_i =
// g_z^2 sigma_z'^2 D_i^2 / (|tau_h lambda + sigma_z,i|^2 |1 + tau_z lambda|^2), L_i = sigma_z,i^2 / |tau_h lambda + sigma_z,i|^2,
// and column factors w_j = sigma_r,j^2 phi'_j^2 + g_r^2 <sigma_r'^2 phi^2> phi'_j^2 / |1 + tau_r lambda|^2 and phi'_j^2. The
// support of a matrix with the variance profile s_ij = u1_i w_j + u2_i phi'_j^2 is where the spectral radius of
// S/N, the largest eigenvalue of the 2 x 2 moment matrix M = [<w u1> <w u2>; <phi'^2 u1> <phi'^2 u2>], is >= 1 (the
// Ahmadian-Fumarola-Miller construction with same-unit averages). F above is its value when the h-side factors
// (w, phi'^2) are independent of the clock side (u1, u2), as at a fixed point; at a chaotic snapshot they are not (the
// clock sigma_z(z(t)) shapes h(t)), and support_model_units keeps the joint per-unit values.
//
// Geometry. F has a pole at lambda = -sigma_z(0)/tau_h when the clock is constant (alpha_z = 0 or var_z = 0); with a
// spread clock F is infinite on the whole segment -tau_h lambda in (0, 1) of the real axis (the nonintegrable
// singularity at sigma_z = -tau_h lambda), so the support reaches the origin: the pinch of THEORY.md. Either way the
// point c = -sigma_z(0)/tau_h is inside the support and serves as the center of the traced boundary.
#include "dmft/model.hpp"

#include <complex>
#include <limits>
#include <string>
#include <vector>

namespace gdmft {

struct SupportModel {
    double g_h = 0, g_z = 0, g_r = 0;
    double tau_h = 1, tau_z = 0, tau_r = 0;
    Gate gate_z;
    double var_z = 0;  // variance of z (the clock's spread)
    double a_h = 0;    // <sigma_r^2 phi'^2>
    double a_r = 0;    // <phi'^2> <sigma_r'^2 phi^2>
    double a_z = 0;    // <phi'^2>, the weight of the z term
    // E[D^2 | z] as a table (increasing z nodes, linear in between, constant beyond the ends). Empty: no z term.
    std::vector<double> drive2_z, drive2;
    std::string source;  // where the statistics came from (for the record)
    // Per-unit statistics (support_model_units): when not empty, F is the spectral radius of the joint moment matrix
    // (see the header comment) and the factorized fields above are kept for the record only.
    struct Unit {
        double sz = 0, b = 0, w = 0, p2 = 0;  // sigma_z, sigma_z'^2 D^2, sigma_r^2 phi'^2, phi'^2
    };
    std::vector<Unit> units;
    double a_rr = 0;  // <sigma_r'^2 phi^2>, the inner average of the r term (a_r = a_z a_rr when factorized)
    bool per_unit() const { return !units.empty(); }

    bool z_term() const { return g_z > 0 && a_z > 0 && !gate_z.constant() && !drive2.empty(); }
    bool r_term() const { return g_r > 0 && a_r > 0; }
    bool constant_clock() const { return gate_z.constant() || var_z <= 0; }
    double drive2_at(double z) const;
    // F(lambda) at lambda = 0 (equals G of THEORY.md at a fixed point).
    double G() const;
};

// Independent Gaussian single-site statistics: h ~ N(mean_h, var_h), r ~ N(0, var_r), z ~ N(0, var_z), and no z term.
// Exact at a fixed point (var_h = Delta_h, var_r = Delta_r, var_z = Delta_z, mean_h = input mean), and for the
// chaotic state when alpha_z = 0 (sigma_z' = 0 removes the z term; h is Gaussian with the DMFT's mean and C_h0).
SupportModel support_model_gaussian(const ModelParams& m, double mean_h, double var_h, double var_r, double var_z,
                                    const std::string& source);

// Empirical single-site statistics of one network state (one value per unit): h, the drive D = eta_h + I - h, and z, r
// when they are simulated (empty otherwise: the gate is the constant sigma(0)). The h-side averages are unit means,
// var_z the mean of z^2 (z has zero mean in the DMFT), and E[D^2 | z] a table of means over `bins` equal-count bins of z.
struct SiteSamples {
    std::vector<double> h, drive, z, r;
};
SupportModel support_model_samples(const ModelParams& m, const SiteSamples& s, int bins, const std::string& source);

// The same statistics kept per unit (joint): F(lambda) = spectral radius of the 2 x 2 moment matrix. The factorized
// fields (a_h, a_r, a_z, var_z, E[D^2 | z] on `bins` bins) are those of support_model_samples, for the record.
SupportModel support_model_units(const ModelParams& m, const SiteSamples& s, int bins, const std::string& source);

// A(lambda) and B(lambda): Gaussian averages over z on a trapezoid rule sized by the distance d of the integrand's
// nearest complex singularity: rule_for_strip(d_k) for the ladder value d_k = 8 * 2^(-k/2) just below d, whose node
// values are cached per model (thread-local), so an evaluation is one pass of multiply-adds. The ladder stops near
// kMaxClockNodes nodes: closer than ~2e-4 standard units to the singular segment the average is under-resolved.
// +infinity on the singular segment itself.
struct ClockAverages {
    double A = 0, B = 0;
};
ClockAverages clock_averages(const SupportModel& s, std::complex<double> lambda);
inline constexpr int kMaxClockNodes = 300001;

// F(lambda); +infinity at a pole or on the singular segment.
double support_function(const SupportModel& s, std::complex<double> lambda);
inline bool in_support(const SupportModel& s, std::complex<double> lambda) { return support_function(s, lambda) >= 1.0; }

// The center used for tracing and inflation: c = -sigma_z(0)/tau_h (always inside the support). With per-unit statistics
// and a spread clock, the pole -sigma_z,k/tau_h of the unit whose clock is nearest sigma_z(0) (F is infinite there).
std::complex<double> support_center(const SupportModel& s);

// The centers about which the support is inflated: c, and the poles of the gate terms around which separate blobs of
// the support form: -1/tau_r (r term, tau_r > 0) and -1/tau_z (z term, tau_z > 0).
std::vector<std::complex<double>> support_centers(const SupportModel& s);

// Is lambda inside the support inflated by `factor` (e.g. 1.05)? The inflated support is the union of the images of the
// support under mu -> p + factor (mu - p) over the centers p: lambda is inside if F(p + (lambda - p)/factor) >= 1 for
// some p. For a region star-shaped about c (every case without a separate blob) this is the inflation about c; a blob
// around -1/tau_r is inflated about its own pole rather than pushed away from c.
bool in_inflated_support(const SupportModel& s, double factor, std::complex<double> lambda);

struct BoundaryOptions {
    int rays = 360;           // angles 2 pi k / rays about the center
    int radial_points = 400;  // scan points along each ray (sign changes of F - 1 are then refined)
    double tol = 1e-10;       // absolute tolerance of each crossing radius
    void validate() const;    // throws BadInput naming the option
};

struct BoundaryPoint {
    double x = 0, y = 0, angle = 0;
    int crossing = 0;   // 0: the outermost crossing along its ray; 1, 2, ...: further in
    int component = 0;  // 0: rays from the center c; m >= 1: rays from centers[m] (a gate pole)
};

// The curve F(lambda) = 1 traced by rays from the center c (at angles 2 pi (k + 1/2) / rays with per-unit statistics,
// so that no ray runs along the real axis through the units' poles): along each ray every sign change of F - 1 on the scan grid
// is refined by Brent's method. A region that is star-shaped about c has one crossing per ray; otherwise (a separate
// r blob, a dent) some rays have several and `star_shaped` is false, and then the component around each gate pole
// (support_centers) is traced again by rays from that pole, keeping the first crossing outwards (component m).
struct Boundary {
    std::complex<double> center;
    std::vector<std::complex<double>> centers;  // support_centers: c first
    double R_max = 0;                    // radius beyond which F < 1 (scan limit)
    // Component 0: outermost crossings in angle order (one per ray), then inner crossings; then components m >= 1.
    std::vector<BoundaryPoint> points;
    bool star_shaped = true;
    int rays_with_several_crossings = 0;
    double rightmost_on_axis = std::numeric_limits<double>::quiet_NaN();  // largest real x with F(x) = 1
    double rightmost = std::numeric_limits<double>::quiet_NaN();          // largest Re over all boundary points
};
Boundary trace_boundary(const SupportModel& s, const BoundaryOptions& o = {});

// Largest real x >= center with F(x) >= 1 on the real axis (the support's rightmost point there), to tolerance tol.
double rightmost_on_real_axis(const SupportModel& s, double R_max, double tol = 1e-12);

}  // namespace gdmft
