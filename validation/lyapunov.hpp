#pragma once
// Lyapunov exponents by the QR (Benettin) method: tangent vectors are advanced with the exact tangent of
// the integrator step (integrator.hpp) and re-orthonormalised every so often by a Householder QR; the
// logarithms of |R_kk| accumulate into the exponents. Error bars come from independent time blocks.
#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace gdmft::sim {

struct LyapunovSpectrum {
    std::vector<double> exponents;  // in QR order (descending on average)
    std::vector<double> stderr_;    // standard error of each from the spread of block estimates
    std::vector<std::vector<double>> blocks;  // blocks[b][k]: exponent k estimated on block b alone
    double time = 0;                // accumulation time
};

class LyapunovQR {
public:
    // K vectors; exponents accumulate over [t_start, t_end], split into `blocks` equal time blocks.
    LyapunovQR(int K, double t_start, double t_end, int blocks);

    // Re-orthonormalises the columns of V (dim x K) in place. If (t_prev, t] lies in the accumulation
    // window, log|R_kk| is added to the block containing it. Returns false if V was not finite or
    // degenerate (a zero diagonal in R).
    bool renormalize(Eigen::Ref<Eigen::MatrixXd> V, double t_prev, double t);

    LyapunovSpectrum result() const;

private:
    int K_, nblocks_;
    double t0_, t1_;
    Eigen::MatrixXd sums_;       // nblocks x K sums of log|R_kk|
    std::vector<double> times_;  // accumulated time per block
};

// Kaplan-Yorke (Lyapunov) dimension j + (lambda_1+...+lambda_j)/|lambda_{j+1}| of a spectrum (sorted
// here), j the largest index with a non-negative partial sum. 0 if lambda_1 < 0; NaN if every partial
// sum is non-negative (more exponents are needed).
double kaplan_yorke_dimension(std::vector<double> exponents);

// Random orthonormal starting vectors (dim x K) from a seed.
Eigen::MatrixXd random_orthonormal(Eigen::Index dim, int K, std::uint64_t seed);

}  // namespace gdmft::sim
