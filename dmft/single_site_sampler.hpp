#pragma once
// The sampled single-site process of THEORY.md 2.4 (Eissfeller-Opper): given the lag covariances of
// the fields, draw M paths of the clock field z and the drive eta_h by circulant embedding, add the
// static parts and the quenched input, integrate
//     tau_h dh/dt = sigma_z(z) [ -h + eta_h + I ]
// with the exact exponential step h <- h e^{-a} + (1 - e^{-a})(eta + I), a = sigma_z(z) dt / tau_h, and
// measure C_phi (and, on request, C_h, the response kernel R and the clock statistics).
//
// Common random numbers: the white noise of random set `set_seed` is drawn once from keyed streams
// (stored as float when it fits in the memory budget, otherwise redrawn identically on every call),
// so run() is a deterministic function of the fields. Paths are processed in fixed chunks whose partial
// sums are reduced in a fixed order: the result does not depend on the number of threads.
#include "dmft/model.hpp"
#include "numerics/circulant_sampler.hpp"
#include "numerics/fft_correlation.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace gdmft {

// Time grid of the sampled paths. Lags tau_k = k dt, k = 0..n-1; each path has m steps (one circle of
// the circulant embedding), of which the first `burn` are discarded. The drawn fields are periodic on
// the circle; their covariance is exact for separations below m - n, so the memory of h (the decay of
// the response kernel) must be shorter than m - 2n and than the burn-in.
struct SiteGrid {
    std::size_t n = 0;
    double dt = 0.05;
    std::size_t m = 0;
    std::size_t burn = 0;
    // Lag products are measured on every `stride`-th sample (lags stride*dt apart) and interpolated to
    // the grid by 4-point Lagrange (error ~ (stride dt / l)^4 / 400 for a covariance varying on the
    // scale l >= tau_h): the paths are smooth on that scale, so almost no information is lost, and the
    // FFT correlation, the largest cost, shrinks by the stride.
    std::size_t stride = 1;
    // burn = n/2; m = the smallest FFT-friendly size >= burn + max(measured, 2n); stride = the largest
    // integer with stride * dt <= max_lag_step (at least 1).
    static SiteGrid make(std::size_t n, double dt, std::size_t measured, double max_lag_step = 0);
    std::size_t coarse_lags() const { return (n - 1) / stride + 3; }
    std::size_t coarse_measured() const { return measured() / stride; }
    std::size_t measured() const { return m - burn; }
};

// The fields driving one site (THEORY.md 2.5: dynamic lag covariances with the plateau removed, plus
// the variances of the static parts, one value per path).
struct SiteFields {
    std::vector<double> z_dyn;  // length n; ignored when the clock is constant (alpha_z = 0 or g_z = 0)
    double z_static = 0;
    std::vector<double> eta_dyn;  // length n
    double eta_static = 0;
};

struct SiteMeasurement {
    std::size_t paths = 0;
    std::vector<double> C_phi;  // raw <phi(h(t)) phi(h(t+tau))>
    double mean_phi = 0;
    double mean_phibar2 = 0;  // mean over paths of (time average of phi over the measured part)^2
    double clipped_z = 0, clipped_eta = 0;  // clipped spectral weight of the two embeddings
    // Filled by a full measurement only:
    std::vector<double> C_h;  // raw <h(t) h(t+tau)>
    std::vector<double> R;    // response kernel < (sigma_z(z(t'))/tau_h) e^{-(S(t'+tau) - S(t'))} >
    double mean_h = 0, mean_sigma_z = 0;
    double mean_hbar2 = 0;  // mean over paths of (time average of h)^2
    double var_z = 0, var_eta = 0;  // sampled variances of z and of eta_h + I - <I> (checks)
};

// Fields of the tangent (linearised) single site of THEORY.md 5, with the growth e^{lambda t} factored
// out: lag covariances of the driving noise xi_h, of y_z and y_r (Gaussian filters of xi_z, xi_r), and
// the forward covariance of r (r is independent of h and z, so its paths are drawn here).
struct TangentFields {
    std::vector<double> xi_h;  // <xi_h xi_h>(tau)
    std::vector<double> y_z;   // <y_z y_z>(tau); used when the clock fluctuates
    std::vector<double> r_dyn; // forward C_r - plateau; used when alpha_r != 0
    double r_static = 0;       // forward plateau of C_r (static part of r)
    std::vector<double> y_r;   // <y_r y_r>(tau); used when alpha_r != 0
};

// A(tau) = <phi'(h) y_h (t) phi'(h) y_h (t+tau)>,  B(tau) = <b(t) b(t+tau)> with
// b = sigma_r(r) phi'(h) y_h + sigma_r'(r) phi(h) y_r: the covariances that drive the next xi_z, xi_r
// (g^2 A) and xi_h (g_h^2 B).
struct TangentMeasurement {
    std::vector<double> A, B;
    double clipped = 0;
};

// The forward paths themselves (for stages that need the trajectories, such as the adjoint theory of
// dmft/adjoint_sampled.hpp): `length` steps after the burn-in, time-major (path p at step t is at
// [t * paths + p]).
struct ForwardPaths {
    std::size_t paths = 0, length = 0;
    std::vector<double> h;        // h(t)
    std::vector<double> sigma_z;  // the clock sigma_z(z(t))
    std::vector<double> drive;    // eta_h(t) + I
    double clipped_z = 0, clipped_eta = 0;  // clipped spectral weight of the two embeddings
};

class SingleSiteSampler {
public:
    static constexpr std::size_t block = 8;   // paths integrated together (one SIMD vector)
    static constexpr std::size_t chunk = 64;  // paths per fixed reduction chunk

    // max_paths is rounded up to a multiple of `block`. noise_budget_bytes bounds the stored noise.
    SingleSiteSampler(const ModelParams& p, const SiteGrid& g, std::size_t max_paths, std::uint64_t set_seed,
                      std::size_t noise_budget_bytes = default_noise_budget());
    // An eighth of the physical memory, at least 768 MiB (3 GiB on a 24 GiB machine). Stored noise is
    // read back far faster than it is redrawn: at window 1125 (dt 0.1) 4000 paths need 1.3 GB, and
    // redrawing it on every map evaluation took a third of the solve.
    static std::size_t default_noise_budget();
    ~SingleSiteSampler();
    SingleSiteSampler(const SingleSiteSampler&) = delete;
    SingleSiteSampler& operator=(const SingleSiteSampler&) = delete;

    // Runs the first `paths` paths (a multiple of `block`, <= max_paths). Uses all OpenMP threads.
    SiteMeasurement run(const SiteFields& f, std::size_t paths, bool full);
    // The tangent single site on the same forward paths (the forward fields f as in run()): integrates
    //   y_h' = -(lambda + sigma_z/tau_h) y_h + (sigma_z/tau_h) xi_h + (sigma_z'(z)/tau_h) y_z (eta_h + I - h)
    // with the exact exponential step (coefficients constant over a step) and measures A and B. The
    // tangent noises come from their own keyed streams: stored on first use when they fit in what the
    // noise budget leaves, otherwise redrawn identically on every call.
    TangentMeasurement run_tangent(const SiteFields& f, const TangentFields& tf, double lambda, std::size_t paths);
    // The first `paths` paths (a multiple of `block`, <= max_paths) on the first `length` measured steps
    // (length <= m - burn): the very paths run() integrates. Uses all OpenMP threads.
    ForwardPaths forward_paths(const SiteFields& f, std::size_t paths, std::size_t length);

    // Switches to random set `set_seed` (as if newly constructed with it), keeping the grid, the plans
    // and the noise buffer: allocating and first touching a few hundred MB costs about a second here.
    void reseed(std::uint64_t set_seed);
    const SiteGrid& grid() const { return grid_; }
    std::size_t max_paths() const { return max_paths_; }
    bool clock_constant() const { return clock_constant_; }
    bool noise_stored() const { return stored_; }
    bool tangent_noise_stored() const { return tangent_noise_[0].data != nullptr; }  // after a run_tangent

private:
    struct BlockWork;    // per-thread buffers (single_site_sampler.cpp)
    struct ForwardPrep;  // per-call constants of the forward fields
    // Steps 1-3 for the W paths starting at p0: U = eta_h + I, E = step decay e^{-sigma dt/tau_h},
    // S = sigma_z (if need_sigma), H = h. Adds sampled second moments to *sum_eta2, *sum_z2 if non-null.
    void forward_block(std::size_t p0, const ForwardPrep& fp, BlockWork& w, bool need_sigma, double* sum_eta2,
                       double* sum_z2) const;
    // The same W paths for a map evaluation without the full measurement, fused over tiles of time
    // steps: the fields are read straight from the FFT buffers and the clock, h and phi(h) are formed a
    // tile at a time, the same arithmetic as forward_block and run() without their full-length arrays
    // (which spill the caches at long windows). Sets bar[l] to the sum of phi over the measured steps of
    // path l and writes phi at every stride-th measured step into pc[l * coarse_measured + k].
    void forward_phi_block(std::size_t p0, const ForwardPrep& fp, BlockWork& w, const Phi& phi, double* bar,
                           double* pc) const;
    ForwardPrep prepare(const SiteFields& f) const;
    // The white noise of one pair of paths for eta_h (z = false) or the clock field z: the stored noise,
    // or redrawn into w's scratch buffer.
    const float* pair_noise(bool z, std::size_t pair, BlockWork& w) const;
    ModelParams p_;
    SiteGrid grid_;
    std::size_t max_paths_;
    std::uint64_t seed_;
    bool clock_constant_, stored_;
    // Draws the stored noise of the first `paths` paths if not done yet (drawn on first use, so stages
    // with few paths do not pay for the final count).
    void ensure_noise(std::size_t paths);
    std::unique_ptr<float[]> eta_noise_, z_noise_;  // stored noise, 2m floats per pair
    std::size_t filled_pairs_ = 0;                   // pairs of stored noise drawn so far
    std::vector<double> statics_;              // 2 normals per path (stratified): z, static drive eta_h + I
    std::unique_ptr<CirculantSampler> eta_sampler_, z_sampler_;
    std::unique_ptr<CirculantSampler> xi_sampler_, yz_sampler_, r_sampler_, yr_sampler_;  // tangent
    // Stored tangent noise, one buffer per stream (xi, y_z, r, y_r): 2m + 2 floats per pair (the last two
    // are the static parts), drawn on first use for the pairs a call needs; empty when redrawn.
    struct TangentNoise {
        std::unique_ptr<float[]> data;
        std::size_t capacity_pairs = 0;  // allocated for the pairs a tangent map asked for, not max_paths
        std::size_t filled_pairs = 0;
    };
    TangentNoise tangent_noise_[4];
    std::size_t noise_budget_ = 0;
    // Draws the stored tangent noise of the streams in use for the first `pairs` pairs (if it fits).
    void ensure_tangent_noise(std::size_t pairs, const bool (&use)[4]);
    struct TangentWork;  // per-thread tangent buffers (single_site_sampler.cpp)
    std::vector<std::unique_ptr<TangentWork>> tangent_work_;
    // Per-thread buffers and correlators, kept from call to call: re-allocating the path buffers (a few
    // MB) on every map evaluation cost ~12% of a solve in page faults. Sized before each parallel region.
    std::vector<std::unique_ptr<BlockWork>> work_;
    std::vector<std::unique_ptr<Autocorrelator>> corr_;
    void reserve_thread_work();
    BlockWork& thread_work();          // inside a parallel region
    Autocorrelator& thread_corr();     // inside a parallel region (coarse lags of the grid)
};

namespace detail {

// e^x to ~2e-16 relative for x in [-708, 708] (clamped outside), written so that loops over it
// vectorise: k = round(x / ln 2) by the 1.5 * 2^52 shifter (its low mantissa bits then hold k),
// r = x - k ln 2 in two parts, degree-12 Taylor polynomial on |r| <= ln2/2, 2^k assembled from bits.
inline double fast_exp(double x) {
    constexpr double log2e = 1.4426950408889634074;
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52
    x = x < -708.0 ? -708.0 : (x > 708.0 ? 708.0 : x);
    const double kd = x * log2e + shifter;
    const double k = kd - shifter;
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 479001600.0;  // 1/12!
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    std::int64_t ki;
    std::memcpy(&ki, &kd, sizeof ki);  // low bits: 2^51 + k; the shift below keeps (k + 1023) mod 2^12
    const std::int64_t bits = (ki + 1023) << 52;
    double scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// Lag covariance on the fine grid (n lags) from values c_j at lags j*stride: 4-point Lagrange
// interpolation with the even extension c_{-j} = c_j at the origin. Needs c.size() >= (n-1)/stride + 3.
std::vector<double> refine_lags(const std::vector<double>& c, std::size_t stride, std::size_t n);

// Stratified standard normals (paths x dims, row-major): within each group of 64 consecutive paths
// every dimension takes one value from each of 64 equiprobable strata, in a random order. Each value is
// exactly N(0, 1) (so any prefix of paths gives unbiased averages), and averages of smooth functions of
// the static parts over a group have a much smaller variance than with independent draws.
std::vector<double> stratified_normals(std::size_t paths, std::size_t dims, std::uint64_t key);

// Smooth taper for dynamic lag covariances: 1 up to 3/4 of the window, then cos^2 down to 0 at the last
// lag (removes the truncation step where the covariance has decayed).
std::vector<double> window_taper(std::size_t n);

// tanh(x) to ~3e-16 absolute.
inline double fast_tanh(double x) {
    const double e = fast_exp(-2.0 * std::fabs(x));
    return std::copysign((1.0 - e) / (1.0 + e), x);
}

}  // namespace detail

}  // namespace gdmft
