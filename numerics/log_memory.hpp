#pragma once
// A causal Gaussian process on a long uniform time grid t_k = k dt with a log-spaced memory: the value
// at step k is drawn conditionally on the process at a sparse set of earlier steps, all of the most
// recent ones and ever fewer further back (a Vecchia approximation of the causal factor of
// numerics/gaussian_process.hpp). Cost per step O(m M + m^3) and memory O(m M) for m memory rows and
// M sample paths, instead of O(k M) and O(k M): a march of n steps costs O(n m M), m ~ log n.
//
// MEMORY SET. With `recent` = K and `per_octave` = P, the rows kept at step k are
//   level 0: k-K, ..., k-1;   level l >= 1: the multiples of 2^l in [k - b_{l+1}, k - b_l),
// b_1 = K, b_{l+1} = b_l + P 2^l: P rows of spacing 2^l per level, contiguous in the lag. The set at step
// k+1 is contained in the set at step k plus row k (a row that leaves level l at its old end is a
// multiple of 2^(l+1), hence in level l+1 at its new end), so every covariance among the kept rows was
// measured when the later of the two rows was new: nothing is recomputed, nothing is looked up.
//
// DRAW. With x_S the kept values, a the covariance row A(k, S), Sigma = A(S, S) + jitter diag, the value
//   x_k = w . x_S + sqrt(d) xi_k,   Sigma w = a,   d = A(k,k) (1 + jitter) - w . a
// is the exact conditional draw given the kept rows. With K >= n (every earlier row kept) this is the
// causal Cholesky factor of A + jitter diag(A) row by row, so the march is the uniform grid's march on
// the same noise, to rounding (tests/unit/test_log_memory.cpp). With fewer rows, the covariance of x at
// lags beyond K is that implied by the conditional chain; its error on slowly varying covariances is
// measured in the same test and in docs/aging.md.
//
// A negative d (the measured covariance is not positive semidefinite on the kept rows) is clipped to 0
// and counted in clipped_weight() relative to the trace, as in CausalCholesky.
//
// The covariance row is measured by the caller's feature vectors (the DMFT's phi(h) on the paths):
// A(k, j) = (1/M) sum_p f_p(t_k) f_p(t_j). So the process stores, for every kept row, the M feature
// values and the M values of each of its F independent fields (fields with the same covariance and
// independent noise share the weights w). Sums are in a fixed order: results do not depend on the
// number of threads.
#include <cstddef>
#include <vector>

#include <Eigen/Dense>

namespace gdmft {

// The log-spaced memory set (rows < k kept at step k), in increasing order.
std::vector<std::size_t> log_memory_rows(std::size_t k, std::size_t recent, std::size_t per_octave);

class LogMemoryProcess {
public:
    // M paths, F fields; recent >= 1, per_octave >= 1 (validated by the caller).
    LogMemoryProcess(std::size_t M, std::size_t fields, std::size_t recent, std::size_t per_octave, double jitter);

    // Step k = steps(): f[0..M) the feature values at t_k; noise[i][0..M) the white noise of field i;
    // out[i][0..M) receives field i at t_k (unit scale: covariance A). Returns A(k, k).
    double step(const double* f, const std::vector<const float*>& noise, const std::vector<double*>& out);

    std::size_t steps() const { return k_; }
    std::size_t max_rows() const { return max_rows_; }   // largest memory set used
    double clipped_weight() const { return trace_ > 0 ? clipped_ / trace_ : 0.0; }
    std::size_t rows_kept() const { return ids_.size(); }

private:
    std::size_t slot();  // a free storage slot
    double* feat(std::size_t s) { return &store_[s * stride_]; }
    double* field(std::size_t s, std::size_t i) { return &store_[s * stride_ + (1 + i) * M_]; }

    std::size_t M_, F_, K_, P_, stride_;
    double jitter_;
    std::size_t k_ = 0, max_rows_ = 0;
    std::vector<std::size_t> ids_, slots_;  // kept rows (increasing) and their storage slots
    Eigen::MatrixXd Sigma_;                 // A(S, S) (without jitter)
    std::vector<double> store_;             // slot s: M feature values, then F x M field values
    std::vector<std::size_t> free_;
    double clipped_ = 0, trace_ = 0;
};

}  // namespace gdmft
