#pragma once
// Gate statistics of the single site (THEORY.md 2.1-2.2): z and r are linear filters of Gaussian
// fields, so their lag covariances follow from C_phi by a low-pass filter, and the gate averages
// (C_sr, <sigma>, <sigma^2>) are Gaussian averages. One place for both.
#include "numerics/nonlinearity.hpp"

#include <fftw3.h>

#include <vector>

namespace gdmft {

// Low-pass filter of a stationary lag covariance on the grid tau_k = k dt, k = 0..n-1:
// for tau x' = -x + eta with <eta eta>(tau) = C(tau), returns <x x>(tau) = q + (K * (C - q))(tau),
// K(u) = e^{-|u|/tau} / (2 tau) (unit integral), q = the plateau C(infinity). tau = 0 returns C.
// Works on the even extension of C - q with FFTs; plans are made once per instance.
class LagFilter {
public:
    LagFilter(std::size_t n, double dt);
    ~LagFilter();
    LagFilter(const LagFilter&) = delete;
    LagFilter& operator=(const LagFilter&) = delete;
    std::vector<double> apply(const std::vector<double>& C, double q, double tau);
    std::size_t size() const { return n_; }

private:
    std::size_t n_, m_;
    double dt_;
    double* buf_;
    fftw_complex* spec_;
    fftw_plan fwd_, inv_;
};

// Lag covariance of a gate's output sigma(x(t)) for a zero-mean Gaussian x with lag covariance Cx
// (Cx[0] the variance): <sigma(x(t)) sigma(x(t+tau))> (raw second moment, not centred).
std::vector<double> gate_pair_moment(const Gate& g, const std::vector<double>& Cx);
// <sigma(x)> and <sigma(x)^2>, x ~ N(0, var).
double gate_mean(const Gate& g, double var);
double gate_mean_sq(const Gate& g, double var);

}  // namespace gdmft
