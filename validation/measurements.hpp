#pragma once
// What a simulation measures after burn-in, from samples taken every sample_dt:
//  - variances over units and time (C_h0 = <h^2> - <h>^2, likewise phi, r, z), from every unit;
//  - population-averaged autocorrelations C_x(tau) = <(x_i(t) - m)(x_i(t+tau) - m)>, m the mean over
//    units and time, by FFT (numerics/fft_correlation), from the recorded units;
//  - the static part C_inf, which C_x(tau) tends to: the variance across units of the per-unit time
//    means, less the finite-time variance of a mean, sum_{|k|<L} (1 - |k|/L)(C_k - C_inf) / L (solved for
//    C_inf; numerics/timescales.hpp). Without the correction a process with no static part shows
//    C_inf ~ 2 tau_int C(0) / T, which biased tau_corr low by several percent at T ~ 50 tau_corr;
//  - the mean and histogram of the local clock sigma_z(z);
//  - the participation ratio (tr C)^2 / tr(C^2) of the covariance C_ij of phi(h_i) over time, from at
//    most 2000 evenly spaced samples. A finite sample biases it low, roughly PR / (1 + PR / T_eff) with
//    T_eff the number of independent samples (~ measured time / correlation time): trust it only when
//    the run spans many times PR correlation times.
// Memory stays bounded: the time series of only the first `units_recorded` units of each trajectory are
// kept (couplings are i.i.d., so these are a random subset); every other statistic uses all units.
#include "numerics/nonlinearity.hpp"
#include "validation/network.hpp"

#include <Eigen/Dense>

#include <vector>

namespace gdmft::sim {

struct Curves {
    std::vector<double> tau, C_h, C_phi, C_r, C_z;  // C_r, C_z are NaN when that gate is not simulated
};

struct Measured {
    double C_h0 = 0, C_phi0 = 0, C_r0 = 0, C_z0 = 0;  // NaN for gates not simulated
    double mean_h = 0, mean_phi = 0;
    double C_inf_h = 0, C_inf_phi = 0;                // static parts
    double mean_sigma_z = 0;
    double participation_ratio = 0;                   // of phi, per trajectory, averaged
    Curves curves;
    std::vector<double> sigma_z_density;              // histogram on [0, 1], normalised to unit area
};

class Recorder {
public:
    // n_samples samples of M trajectories of N units; series of the first n_rec units of each kept.
    Recorder(const Phi& phi, std::size_t N, int M, std::size_t n_samples, std::size_t n_rec, bool has_z, bool has_r,
             int hist_bins);

    // Sample number s of trajectory m.
    void add(std::size_t s, int m, const Observables& o);

    // Every statistic; lags 0..max_lag samples, spaced sample_dt.
    Measured finish(std::size_t max_lag, double sample_dt) const;

    // Series kept per variable for a budget: the largest n_rec <= N whose series fit in `bytes`.
    static std::size_t units_for_budget(std::size_t N, int M, std::size_t n_samples, int n_vars, double bytes);

private:
    Phi phi_;
    std::size_t N_, n_samples_, n_rec_;
    int M_, bins_;
    bool has_z_, has_r_;
    // Per-column (trajectory m, unit i: column m N + i) sums over time of x and x^2.
    Eigen::ArrayXd sum_h_, sum_h2_, sum_phi_, sum_phi2_, sum_z_, sum_z2_, sum_r_, sum_r2_;
    double sum_sz_ = 0;
    std::vector<double> hist_;
    Eigen::MatrixXd rec_h_, rec_z_, rec_r_;  // n_samples x (M n_rec)
};

// Participation ratio (tr C)^2 / tr(C^2) of the covariance over rows (time) of the columns of X (units),
// each column centred on its own mean. Uses the smaller of the two Gram matrices.
double participation_ratio(const Eigen::MatrixXd& X);

}  // namespace gdmft::sim
