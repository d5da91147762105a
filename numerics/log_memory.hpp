#pragma once
// A causal Gaussian process on a long uniform time grid t_k = k dt with a log-spaced memory: the value
// at step k is drawn conditionally on the latest steps and on averages of the process over ever longer
// blocks further back (a multi-resolution, Vecchia-type approximation of the causal factor of
// numerics/gaussian_process.hpp). Cost per step O(m M + m^3) and memory O(m M) for m memory blocks and
// M sample paths, instead of O(k M) and O(k M): a march of n steps costs O(n m M), m ~ log n.
//
// MEMORY. The past [0, k) is partitioned into contiguous blocks, oldest first, of sizes 1, 2, 4, ...
// that do not increase towards the present: K - 1 to K = `recent` single steps, and at most P =
// `per_octave` blocks of each larger size. After each step, while a size s has more blocks than its
// cap, its two oldest (adjacent) blocks merge into one of size 2s. So the recent past is kept step by
// step, and a lag L is resolved to about L / P. Blocks hold the means over their steps, not samples:
// a sample of a process with a fast and a slow part is a noisy reading of the slow part, and a mean
// over a block is not (sparse single samples overstated the slow power and made a slowly relaxing
// variance drift upwards).
//
// DRAW. With x_B the block means, a = Cov(x_k, x_B), Sigma = Cov(x_B, x_B), the value
//   x_k = w . x_B + sqrt(d) xi_k,   Sigma w = a,   d = A(k,k) (1 + jitter) - w . a
// is the exact conditional draw given the block means. The covariances are those of the caller's
// feature vectors: A(k, j) = (1/M) sum_p f_p(t_k) f_p(t_j), so the covariance with a block mean is that
// with the block's mean feature vector, and a merge is exact (means of means, rows and columns of Sigma
// averaged). The jitter is a white component of the process: each step's own variance is A(k, k)
// (1 + jitter), so Sigma holds that on its diagonal when a step joins the memory, and merges average it
// down like any white noise. Sigma is then the exact covariance of the block means of the process the
// march draws (A plus the white jitter), and no other regularisation enters the solve. With K >= n no
// block ever merges and, with plain noise, this is the causal Cholesky factor of A + jitter diag(A)
// row by row: the march is the uniform grid's march on the same noise, to rounding
// (tests/unit/test_log_memory.cpp). With fewer blocks the covariance of x is that implied by the
// conditional chain; its error is measured in the same test and in docs/aging.md.
//
// MATCHED NOISE (match_moments, the default). With plain white noise xi the fields' covariance is right
// only on average over noise draws: on the M paths the Gram matrix of the stored field blocks differs
// from Sigma by sampling noise, and in a self-consistent march (Sigma measured on the same paths) that
// difference feeds back and the equal-time variance creeps upwards with time (docs/aging.md: C_h(t,t)
// 2.20 against the exact 1.925 by t = 800 at SCS g_h = 4 with M = 2000). Matched, each draw uses instead
//   eta = xi - sum_j c'_j x_j,   Sigma c' = (x_j . xi / M)_j,   rescaled to (1/M) |eta|^2 = 1,
// the noise made orthogonal on the paths to the kept field blocks (the moment matching that the adjoint
// march does on its noise rows, dmft/adjoint_sampled.cpp; here the memory holds block means of fields,
// not noise rows, so the projection is against them). If the blocks' path Gram is Sigma, the new row's
// path covariances with them are Sigma w = a and its path variance w' Sigma w + d = A(k, k) (1 +
// jitter) = the new diagonal entry of Sigma, and merges average both sides alike: by induction the
// Gram stays Sigma from step 0 on, to rounding. (Had Sigma kept A(k, k) on its diagonal and the solve
// added the jitter, each step would lose jitter w' diag(Sigma) w of variance and of covariance with
// the past; where the weights extrapolate a smooth field that loss is carried forward, and the path
// variance fell 2% short at alpha_z = 5, dt = 0.2 and 7% at alpha_z = 15.) Matched noise needs fewer
// kept blocks than paths (callers keep M >= 2 max_blocks()); a step with m >= M draws plain noise.
//
// A negative d (the measured covariance is not positive semidefinite on the kept blocks) is clipped to
// 0 and counted in clipped_weight() relative to the trace, as in CausalCholesky. The process stores,
// per block, the M mean feature values and the M mean values of each of its F independent fields
// (fields with the same covariance and independent noise share the weights w). Sums are in a fixed
// order: results do not depend on the number of threads.
#include <cstddef>
#include <vector>

#include <Eigen/Dense>

namespace gdmft {

class LogMemoryProcess {
public:
    // M paths, F fields; recent >= 1, per_octave >= 1 (validated by the caller). match_moments: the
    // matched noise above; false draws plain white noise (the chain exact on average over the noise).
    LogMemoryProcess(std::size_t M, std::size_t fields, std::size_t recent, std::size_t per_octave, double jitter,
                     bool match_moments = true);

    // Step k = steps(): f[0..M) the feature values at t_k; noise[i][0..M) the white noise of field i;
    // out[i][0..M) receives field i at t_k (unit scale: covariance A). Returns A(k, k).
    double step(const double* f, const std::vector<const float*>& noise, const std::vector<double*>& out);

    std::size_t steps() const { return k_; }
    std::size_t max_rows() const { return max_rows_; }  // most blocks conditioned on at one step
    // An upper bound on the blocks after `steps` steps: recent + per_octave floor(log2 steps).
    static std::size_t max_blocks(std::size_t steps, std::size_t recent, std::size_t per_octave);
    double clipped_weight() const { return trace_ > 0 ? clipped_ / trace_ : 0.0; }
    // (1/M) sum_p x_p(t_k)^2 / (A(k, k) (1 + jitter)) of field 0 at the last step: with matched noise 1
    // to rounding; with plain noise 1 up to sampling noise (sd about sqrt(2/M)), and in a
    // self-consistent march it drifts above 1 (docs/aging.md).
    double path_variance_ratio() const { return last_ratio_; }
    // Sizes of the memory blocks, oldest first (they sum to steps()).
    const std::vector<std::size_t>& block_sizes() const { return sizes_; }

private:
    std::size_t slot();  // a free storage slot
    void merge_blocks();
    double* feat(std::size_t s) { return &store_[s * stride_]; }
    double* field(std::size_t s, std::size_t i) { return &store_[s * stride_ + (1 + i) * M_]; }

    std::size_t M_, F_, K_, P_, stride_;
    double jitter_;
    bool match_;
    std::size_t k_ = 0, max_rows_ = 0;
    std::vector<std::size_t> sizes_, slots_;  // blocks, oldest first: sizes and storage slots
    Eigen::MatrixXd Sigma_;                   // covariance of the block means (with the white jitter)
    std::vector<double> eta_, part_;          // scratch: one field's noise, per-chunk sums
    std::vector<double> store_;               // slot s: M feature means, then F x M field means
    std::vector<std::size_t> free_;
    double clipped_ = 0, trace_ = 0, last_ratio_ = 1.0;
};

}  // namespace gdmft
