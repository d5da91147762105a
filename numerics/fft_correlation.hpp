#pragma once
// Autocorrelation by FFT (zero-padded, unbiased normalisation): the one place for FFT correlation.
#include <Eigen/Dense>
#include <fftw3.h>

#include <complex>
#include <vector>

namespace gdmft {

// Computes sum_t x(t) x(t+k) for k = 0..max_lag of real series of fixed length n. The series is
// zero-padded to m >= n + max_lag, which keeps the circular sums free of wrap-around up to max_lag
// (max_lag = n - 1 by default: every lag). The plans are made once, at construction; one instance per
// thread (construction is serialised internally).
class Autocorrelator {
public:
    explicit Autocorrelator(std::size_t n, std::size_t max_lag = std::size_t(-1));
    ~Autocorrelator();
    Autocorrelator(const Autocorrelator&) = delete;
    Autocorrelator& operator=(const Autocorrelator&) = delete;

    std::size_t length() const { return n_; }
    std::size_t max_lag() const { return max_lag_; }
    // Adds the lag sums of x (length n, stride `stride`) into acc[0..max_lag] (max_lag <= max_lag()).
    void accumulate_lag_sums(const double* x, std::ptrdiff_t stride, double* acc, std::size_t max_lag);
    // Adds the lag sums of x(t) y(t+k) (cross-correlation) into acc[0..max_lag].
    void accumulate_cross_sums(const double* x, const double* y, double* acc, std::size_t max_lag);

    // The same lag sums for many series at the cost of one forward transform each: the lag sums are
    // linear in the power spectrum |X|^2, so add_power sums the spectra of the series into `power` and
    // flush_power inverts the sum once, adds its lag sums into acc[0..max_lag] and zeroes `power`.
    // `power` has power_size() entries (start from zeros).
    std::size_t power_size() const { return m_ / 2 + 1; }
    void add_power(const double* x, std::ptrdiff_t stride, std::vector<double>& power);
    void flush_power(std::vector<double>& power, double* acc, std::size_t max_lag);

private:
    void check_lag(std::size_t max_lag) const;
    void forward(const double* x, std::ptrdiff_t stride);   // zero-padded series -> spec_
    void inverse_into(double* acc, std::size_t max_lag);     // spec_ -> lag sums added into acc
    std::size_t n_, max_lag_, m_;  // series length, largest lag, padded length (>= n + max_lag)
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
