#pragma once
// Autocorrelation by FFT (zero-padded, unbiased normalisation): the one place for FFT correlation.
#include <Eigen/Dense>
#include <fftw3.h>

#include <complex>
#include <vector>

namespace gdmft {

// Computes sum_t x(t) x(t+k) for k = 0..n-1 of real series of fixed length n. The plans are made once,
// at construction; one instance per thread (construction is serialised internally).
class Autocorrelator {
public:
    explicit Autocorrelator(std::size_t n);
    ~Autocorrelator();
    Autocorrelator(const Autocorrelator&) = delete;
    Autocorrelator& operator=(const Autocorrelator&) = delete;

    std::size_t length() const { return n_; }
    // Adds the lag sums of x (length n, stride `stride`) into acc[0..max_lag].
    void accumulate_lag_sums(const double* x, std::ptrdiff_t stride, double* acc, std::size_t max_lag);
    // Adds the lag sums of x(t) y(t+k) (cross-correlation) into acc[0..max_lag].
    void accumulate_cross_sums(const double* x, const double* y, double* acc, std::size_t max_lag);

private:
    std::size_t n_, m_;  // series length, padded length (>= 2n)
    double* buf_;
    fftw_complex* spec_;
    fftw_complex* spec2_;
    fftw_plan fwd_, inv_;
};

// Mean autocorrelation over the columns of `series` (time along rows), unbiased:
//   C(k) = (1/cols) sum_col (1/(n-k)) sum_{t<n-k} x(t) x(t+k),  k = 0..max_lag.
// The caller removes whatever mean should be removed. Runs on all OpenMP threads; the result does not
// depend on the thread count beyond floating-point summation order within a fixed column partition.
std::vector<double> mean_autocorrelation(const Eigen::MatrixXd& series, std::size_t max_lag);

}  // namespace gdmft
