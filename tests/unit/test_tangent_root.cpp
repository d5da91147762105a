// When is lambda_max trusted although a power iteration of the tangent DMFT did not converge
// (dmft/tangent_dmft: detail::root_pinned)?
#include "dmft/tangent_dmft.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace gdmft;
using detail::RhoEvaluation;

TEST_CASE("root_pinned: converged evaluations of opposite sign within tol pin the root") {
    const double tol = 5e-4;
    // The evaluations of one random set at g_h 3, alpha_z 5, tau_z = tau_r = 0 (ln rho rounded): the
    // upper end of the first bracket (lambda 0.05) did not converge; the root lies between two converged
    // evaluations 1.2e-4 apart.
    std::vector<RhoEvaluation> e = {{0.0, 0.1658, true},
                                    {0.05, -0.2681, false},
                                    {0.0191, -0.0932, true},
                                    {0.008996, -0.00058, true},
                                    {0.008871, 0.00086, true}};
    CHECK(detail::root_pinned(e, tol));
    // The same with the last evaluation unconverged: the trusted bracket is [0, 0.008996].
    e.back().converged = false;
    CHECK_FALSE(detail::root_pinned(e, tol));
    // A wider trusted bracket than tol.
    CHECK_FALSE(detail::root_pinned({{0.008, 0.01, true}, {0.009, -0.01, true}}, tol));
    CHECK(detail::root_pinned({{0.008, 0.01, true}, {0.0084, -0.01, true}}, tol));
    // Converged evaluations that contradict the decrease of ln rho in lambda.
    CHECK_FALSE(detail::root_pinned({{0.009, 0.01, true}, {0.0088, -0.01, true}}, tol));
    // An evaluation exactly at the root pins it by itself; no converged evaluation pins nothing.
    CHECK(detail::root_pinned({{0.01, 0.0, true}}, tol));
    CHECK_FALSE(detail::root_pinned({{0.01, 0.0, false}, {0.0101, -0.001, false}}, tol));
}
