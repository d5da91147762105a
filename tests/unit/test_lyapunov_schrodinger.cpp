// Schrodinger eigenvalues (dmft/lyapunov_schrodinger.*) against exactly solvable potentials.
#include "dmft/lyapunov_schrodinger.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

TEST_CASE("Poschl-Teller well 6 sech^2: bound states E = -4 (even) and -1 (odd)") {
    // -psi'' - l(l+1) sech^2(u) psi = E psi with l = 2 has bound states -4 (sech^2 u) and -1 (sech u tanh u):
    // the same structure as the DMFT operator, whose odd state at -1 is C_h'(u).
    const double h = 0.05;
    std::vector<double> W(601);
    for (std::size_t k = 0; k < W.size(); ++k) W[k] = 6 / std::pow(std::cosh(k * h), 2);
    const auto s = schrodinger_lowest(W, h);
    CHECK(s.E0 == doctest::Approx(-4).epsilon(1e-5));
    CHECK(s.E1 == doctest::Approx(-1).epsilon(1e-5));
    CHECK(s.lambda_u() == doctest::Approx(1.0).epsilon(1e-5));
    // Richardson extrapolation improves on the second-order value.
    CHECK(std::abs(s.E0 + 4) < std::abs(s.E0_h + 4));
}

TEST_CASE("harmonic well: W = -u^2 gives E = 1, 3; subsampling keeps the accuracy") {
    const double h = 0.01;
    std::vector<double> W(1201);
    for (std::size_t k = 0; k < W.size(); ++k) W[k] = -std::pow(k * h, 2);
    const auto s = schrodinger_lowest(W, h, 300);  // stride 5
    CHECK(s.step == doctest::Approx(0.05));
    CHECK(s.E0 == doctest::Approx(1).epsilon(1e-5));
    CHECK(s.E1 == doctest::Approx(3).epsilon(1e-5));
    CHECK(s.lambda_u() == -1.0);  // no bound state below zero: growth rate -1 (pure leak)
}
