#pragma once
// Non-stationary Gaussian processes on a time grid t_0 < t_1 < ... (two-time covariance A(t_k, t_j)):
// a causal (lower-triangular, Cholesky) factor A = L L^T built one row at a time. Row k needs only
// A(k, 0..k), and rows already built never change when later rows are appended, so a path
// x_k = sum_{j<=k} L(k,j) xi_j is drawn from the noise up to time k: the factor can grow while the
// covariance is still being computed (the causal march of dmft/transient_dmft.cpp), and the same noise
// xi gives the same early values whatever happens later.
//
// Semidefinite rule (covariances measured on sample paths are only positive semidefinite, and smooth
// processes are nearly predictable, so pivots can vanish): the pivot d_k = A(k,k) - sum_{j<k} L(k,j)^2
// is the variance of x_k not predicted by the past. If d_k <= floor * A(k,k) the pivot is set to 0 (x_k
// is a deterministic combination of the past; column k stays zero below the diagonal). A pivot below
// -floor * A(k,k) (the matrix is not positive semidefinite there) is clipped to 0 as well, and |d_k| is
// added to the clipped weight, reported relative to trace(A): the variance the factor cannot represent.
//
// Jitter (nugget): without pivoting, a nearly singular matrix (the covariance of a smooth process on a
// fine grid: its pivots fall geometrically, ~1e-12 of the variance after ~15 steps) makes forward
// substitution divide by tiny pivots, and rounding errors grow until later pivots come out negative.
// The factor is therefore built for A + jitter * diag(A): every pivot is at least jitter * A(k,k), the
// condition number is at most ~1/jitter, and the paths carry an extra white noise of relative variance
// `jitter` per grid point (for a field filtered over a time T >> dt its effect is ~ jitter * dt / T).
#include <cstddef>
#include <vector>

namespace gdmft {

class CausalCholesky {
public:
    explicit CausalCholesky(std::size_t n_max, double floor = 1e-12, double jitter = 0.0);

    // Appends row k = rows(): a[0..k] = A(k, 0..k). Returns the pivot d_k before the floor.
    double append(const double* a);
    // The row that append(a) would build, into l[0..k] (k = rows()), without appending it; returns the
    // pivot before the floor. For predictor steps that draw a trial value at time k with the noise of
    // the final one (dmft/adjoint_sampled.cpp).
    double trial_row(const double* a, double* l) const;
    // Multiplies the factor by c (the covariance by c^2): rescaling of a linear, homogeneous problem
    // whose values leave the double range.
    void scale(double c);
    std::size_t rows() const { return rows_; }
    std::size_t capacity() const { return n_max_; }
    // L(k, 0..k) (k + 1 values; packed storage).
    const double* row(std::size_t k) const { return &L_[k * (k + 1) / 2]; }
    double at(std::size_t k, std::size_t j) const { return j <= k ? row(k)[j] : 0.0; }
    // Sum of the clipped negative pivots over trace(A) so far.
    double clipped_weight() const { return trace_ > 0 ? clipped_ / trace_ : 0.0; }
    // Number of rows whose pivot was kept (> floor): the number of independent noise values used.
    std::size_t active_pivots() const { return active_; }
    void clear();

private:
    // Row k = rows() of the factor for A(k, 0..k) into lk; live: whether the pivot is kept.
    double build_row(const double* a, double* lk, bool& live) const;
    std::size_t n_max_, rows_ = 0, active_ = 0;
    double floor_, jitter_;
    std::vector<double> L_;
    std::vector<unsigned char> live_;  // pivot k kept
    double clipped_ = 0, trace_ = 0;
};

}  // namespace gdmft
