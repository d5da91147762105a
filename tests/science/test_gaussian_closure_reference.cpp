// The Gaussian closure against the reference values of THEORY.md section 8, the SCS energy condition,
// the Schrodinger zero mode, and independent checks of the lag functions.
#include "dmft/gate_statistics.hpp"
#include "dmft/stationary.hpp"
#include "numerics/gaussian_average.hpp"
#include "numerics/progress.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace gdmft;

namespace {

struct Combo {
    double beta_r, beta_z, tau_h;
};

// (beta_r, beta_z, tau_h) combinations; g_h is set so that g_h sigma_r(0) = g_eff. beta_r = -30 makes
// sigma_r(0) = 1 - 1e-13.
const std::vector<Combo> kCombos = {{-30.0, -30.0, 1.0}, {0.0, 0.0, 1.0}, {1.2, -1.0, 0.5}, {-0.7, 2.0, 3.0}};

ModelParams scs(double g_eff, const Combo& c) {
    ModelParams m;
    m.beta_r = c.beta_r;
    m.beta_z = c.beta_z;
    m.tau_h = c.tau_h;
    m.g_h = g_eff * (1 + std::exp(c.beta_r));
    return m;
}

}  // namespace

TEST_CASE("SCS limit: Delta0, lambda_max and the zero mode at g_eff = 1.5, 2, 3 for several gate biases and tau_h") {
    // THEORY.md section 8 (phi = tanh, mu = s = 0): Delta0 by g_eff, and lambda_max in units of the
    // effective time constant tau_h / sigma_z(0).
    struct Ref {
        double g, Delta0, lambda;
    };
    const Ref refs[] = {{1.5, 0.747686, 0.046746}, {2.0, 1.924805, 0.112458}, {3.0, 5.446322, 0.235461}};
    StationaryOptions o;
    o.lyapunov = true;
    for (const Ref& ref : refs) {
        for (const Combo& c : kCombos) {
            const ModelParams m = scs(ref.g, c);
            CAPTURE(ref.g);
            CAPTURE(c.beta_r);
            CAPTURE(c.beta_z);
            CAPTURE(c.tau_h);
            const StationaryResult r = solve_gaussian(m, o);
            REQUIRE(r.converged);
            CHECK(r.C_h0 == doctest::Approx(ref.Delta0).epsilon(1e-5));
            // Energy condition Delta0^2/2 = g^2 (<Phi^2> - <Phi>^2), Phi = log cosh, with one-dimensional
            // averages at the solution's variance: independent of the pair tables and of the lag grid.
            const double c0 = r.C_h0;
            auto Phi = [](double u) { return std::abs(u) + std::log1p(std::exp(-2 * std::abs(u))) - std::log(2.0); };
            const double m1 = gauss::mean(Phi, 0.0, c0);
            const double m2 = gauss::mean([&](double u) { return Phi(u) * Phi(u); }, 0.0, c0);
            CHECK(0.5 * c0 * c0 == doctest::Approx(ref.g * ref.g * (m2 - m1 * m1)).epsilon(1e-7));
            // Lyapunov exponent in units of the effective time constant, and the lambda = 0 mode.
            const double s0 = 1 / (1 + std::exp(c.beta_z));
            CHECK(r.lambda_max * m.tau_h / s0 == doctest::Approx(ref.lambda).epsilon(0.01));
            CHECK(r.zero_mode_eigenvalue == doctest::Approx(-1.0).epsilon(1e-3));
            MESSAGE("g_eff " << ref.g << ": Delta0 rel err " << (r.C_h0 / ref.Delta0 - 1) << ", lambda rel err "
                             << (r.lambda_max * m.tau_h / s0 / ref.lambda - 1) << ", zero mode "
                             << r.zero_mode_eigenvalue);
            // Response kernel R = (s0/tau_h) e^{-s0 tau/tau_h}: mean response time tau_h / s0.
            CHECK(r.tau_response == doctest::Approx(m.tau_h / s0).epsilon(1e-3));
            CHECK(r.mean_sigma_z == doctest::Approx(s0).epsilon(1e-15));
            // Time scaling: the correlation time is tau_h / s0 times a function of g_eff alone.
            CHECK(r.tau_corr * s0 / m.tau_h ==
                  doctest::Approx(solve_gaussian(scs(ref.g, kCombos[0]), StationaryOptions{}).tau_corr).epsilon(1e-3));
        }
    }
}

TEST_CASE("gated reference point: alpha_r = 4, g_h = 3, tau_r = 0 gives C_h(0) = 1.198") {
    // THEORY.md section 8: alpha_z = 0, tau_r = 0, beta_r = 0, g_r = 1, alpha_r = 4, g_h = 3: C_h(0) = 1.198
    // (two independent methods agree).
    ModelParams m;
    m.alpha_r = 4;
    m.tau_r = 0;
    m.g_h = 3;
    StationaryOptions o;
    o.lyapunov = true;
    const auto r = solve_gaussian(m, o);
    REQUIRE(r.converged);
    CHECK(r.C_h0 == doctest::Approx(1.198).epsilon(2e-3));
    CHECK(r.zero_mode_eigenvalue == doctest::Approx(-1.0).epsilon(1e-3));
    CHECK(r.lambda_max > 0);
    MESSAGE("gated point: C_h0 = " << r.C_h0 << ", lambda_max = " << r.lambda_max);
    // tau_r = 0: C_r = g_r^2 C_phi (raw; mu = 0 so <phi> = 0).
    CHECK(r.C_r0 == doctest::Approx(r.C_phi0).epsilon(1e-12));
    // C_srphi(0) = <sigma_r^2> <phi^2> (r and h independent at one site).
    CHECK(r.C_srphi[0] == doctest::Approx(gate_mean_sq(m.gate_r(), r.C_r0) * r.C_phi0).epsilon(1e-9));
}

TEST_CASE("lag functions: fourth-order convergence in dt, C_z against the FFT low-pass, plateaus with inputs") {
    ModelParams m;  // default: g_h = 3, beta_r = 0 (g_eff = 1.5), tau_z = 1; add a dynamic r gate and inputs
    m.alpha_r = 2;
    m.tau_r = 0.8;
    m.input_mean = 0.2;
    m.input_std = 0.3;
    StationaryOptions o;
    const auto r = solve_gaussian(m, o);
    REQUIRE(r.converged);
    o.grid.dt = 0.1;
    const auto r2 = solve_gaussian(m, o);
    REQUIRE(r2.converged);
    // The scheme is fourth order: halving dt from 0.1 changes C_h(0) by 15/16 of the coarse error.
    CHECK(std::abs(r.C_h0 - r2.C_h0) < 1e-6 * r.C_h0);
    MESSAGE("C_h0 at dt 0.05 / 0.1: " << r.C_h0 << " / " << r2.C_h0);
    // Plateaus: C(inf) = q for h; the r and z filters pass the raw plateau of phi unchanged.
    CHECK(r.q_h > 0);
    CHECK(r.C_h.back() == doctest::Approx(r.q_h).epsilon(1e-6));
    CHECK(r.mean_h == 0.2);
    // C_z: the solver's exponentially fitted filter against the FFT low-pass of gate_statistics (z has
    // zero mean, so C_z is raw; C_phi is reported centred: add <phi>^2 back).
    const double mphi = gauss::mean([](double u) { return std::tanh(u); }, m.input_mean, r.C_h0);
    std::vector<double> Cphi_raw(r.C_phi.size());
    for (std::size_t k = 0; k < Cphi_raw.size(); ++k) Cphi_raw[k] = m.g_z * m.g_z * (r.C_phi[k] + mphi * mphi);
    LagFilter filt(r.tau.size(), r.tau[1] - r.tau[0]);
    const double qz = m.g_z * m.g_z * (r.q_phi + mphi * mphi);
    const auto Cz_fft = filt.apply(Cphi_raw, qz, m.tau_z);
    for (std::size_t k : {0ul, 20ul, 100ul, 400ul}) CHECK(r.C_z[k] == doctest::Approx(Cz_fft[k]).epsilon(2e-5));
    CHECK(r.C_z0 == r.C_z[0]);
}

TEST_CASE("onset of chaos with a steep output gate (THEORY.md section 6): first order beyond alpha_r g_r = 2 sqrt(3)") {
    // tau_r = 0, beta_r = 0, g_r = 1, mu = s = 0. Small alpha_r: chaos appears continuously at the zero
    // fixed point's instability g_h = 1 + e^{beta_r} = 2. alpha_r g_r > 2 sqrt(3): it appears with a finite
    // C_h(0) below g_h = 2 (coexisting with the stable zero fixed point), above the fixed-point onset
    // g_FP, and g_chaos decreases with alpha_r towards sqrt(8/3) = 1.633 (alpha_r -> infinity).
    auto chaotic = [](double alpha_r, double g_h) {
        ModelParams m;
        m.alpha_r = alpha_r;
        m.tau_r = 0;
        m.g_h = g_h;
        return solve_gaussian(m, StationaryOptions{});
    };
    auto g_chaos = [&](double alpha_r) {
        double lo = 1.5, hi = 2.05;
        for (int it = 0; it < 18; ++it) {
            const double g = 0.5 * (lo + hi);
            (chaotic(alpha_r, g).termination == Termination::Converged ? hi : lo) = g;
        }
        return hi;
    };
    // alpha_r = 3 < 2 sqrt(3): continuous at g_h = 2.
    CHECK(chaotic(3, 2 * (1 - 1e-3)).termination == Termination::NoChaoticSolution);
    const auto weak = chaotic(3, 2 * (1 + 1e-3));
    CHECK(weak.converged);
    CHECK(weak.C_h0 < 0.01);
    // alpha_r = 4 and 10 > 2 sqrt(3): discontinuous, below 2, decreasing.
    const double g4 = g_chaos(4), g10 = g_chaos(10);
    MESSAGE("g_chaos(alpha_r = 4) = " << g4 << ", g_chaos(alpha_r = 10) = " << g10);
    CHECK(g4 < 2);
    CHECK(g10 < g4);
    CHECK(g10 > std::sqrt(8.0 / 3.0));
    const auto jump = chaotic(10, g10 * (1 + 1e-4));
    CHECK(jump.converged);
    CHECK(jump.C_h0 > 0.02);  // finite at the onset (measured 0.0499; continuous case above: 0.0038 at 1e-3)
    CHECK(jump.message.find("coexists with a stable fixed point") != std::string::npos);  // bistable
}
