// Lag filter and gate averages against closed forms.
#include "dmft/gate_statistics.hpp"
#include "numerics/timescales.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

TEST_CASE("low-pass filter of an exponential covariance matches the closed form") {
    // eta with C(u) = e^{-|u|/a} through tau x' = -x + eta: <x x>(u) = (a e^{-|u|/a} - tau e^{-|u|/tau}) * a / (a^2 - tau^2)
    // (convolution of two exponentials; check at tau = 0: a^2/(a^2 - tau^2) - ... -> 1 at tau->0).
    const double dt = 0.01, a = 2.0, tau = 0.5;
    const std::size_t n = 8001;  // window 80: both exponentials have decayed to < 1e-17
    std::vector<double> C(n);
    for (std::size_t k = 0; k < n; ++k) C[k] = std::exp(-double(k) * dt / a);
    LagFilter f(n, dt);
    const auto out = f.apply(C, 0.0, tau);
    for (std::size_t k : {0ul, 10ul, 100ul, 400ul}) {
        const double u = k * dt;
        const double exact = a * (a * std::exp(-u / a) - tau * std::exp(-u / tau)) / (a * a - tau * tau);
        CHECK(out[k] == doctest::Approx(exact).epsilon(2e-3));
    }
    // The plateau passes through unchanged.
    std::vector<double> Cq(n);
    for (std::size_t k = 0; k < n; ++k) Cq[k] = 0.3 + C[k];
    const auto outq = f.apply(Cq, 0.3, tau);
    CHECK(outq[n - 1] == doctest::Approx(0.3).epsilon(1e-6));
    CHECK(outq[0] - 0.3 == doctest::Approx(out[0]).epsilon(1e-12));
}

TEST_CASE("gate averages: constant gate and symmetric limits") {
    Gate g{0.0, 1.0};
    CHECK(gate_mean(g, 2.0) == doctest::Approx(1 / (1 + std::exp(1.0))));
    Gate h{3.0, 0.0};
    // sigma(u) + sigma(-u) = 1 at beta = 0, so <sigma> = 1/2 exactly for zero-mean u.
    CHECK(gate_mean(h, 4.0) == doctest::Approx(0.5).epsilon(1e-12));
    // Fully correlated lag gives <sigma^2>; uncorrelated gives <sigma>^2.
    const auto pm = gate_pair_moment(h, {4.0, 0.0});
    CHECK(pm[0] == doctest::Approx(gate_mean_sq(h, 4.0)).epsilon(1e-10));
    CHECK(pm[1] == doctest::Approx(0.25).epsilon(1e-10));
}

TEST_CASE("correlation and response times of exponentials") {
    std::vector<double> t, C, R;
    for (int k = 0; k < 4000; ++k) {
        t.push_back(k * 0.01);
        C.push_back(0.2 + std::exp(-t.back() / 1.7));
        R.push_back(std::exp(-t.back() / 0.8));
    }
    CHECK(correlation_time(t, C, 0.2) == doctest::Approx(1.7).epsilon(1e-4));
    CHECK(mean_response_time(t, R) == doctest::Approx(0.8).epsilon(1e-3));
}
