// Counting fixed points of small networks (validation/fixed_point_count.*). References: g_eff < 1 has the
// single fixed point 0 (the map h -> Jh sigma_r phi(h) contracts on average: THEORY.md 4, G < 1); the odd
// symmetry of tanh without input; the z gate and the time constants do not enter F (THEORY.md 10); the
// Jacobian against finite differences.
#include "validation/fixed_point_count.hpp"
#include "numerics/errors.hpp"
#include "validation/couplings.hpp"
#include "validation/network.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;
using namespace gdmft::sim;

namespace {
CountOptions small(std::size_t N) {
    CountOptions o;
    o.N = N;
    o.networks = 2;
    o.random_starts = 200;
    o.trajectory_starts = 20;
    return o;
}
}  // namespace

TEST_CASE("Jacobian of F against central differences (gated, alpha_r = 4)") {
    ModelParams m;
    m.g_h = 2.5;
    m.alpha_r = 4;
    m.beta_r = 0.3;
    FixedPointSystem sys(m, 7, 11);
    Eigen::VectorXd h(7);
    for (int i = 0; i < 7; ++i) h(i) = std::sin(1.3 * i + 0.2);
    const Eigen::MatrixXd J = sys.DF(h);
    const double e = 1e-6;
    for (int j = 0; j < 7; ++j) {
        Eigen::VectorXd a = h, b = h;
        a(j) += e, b(j) -= e;
        const Eigen::VectorXd col = (sys.F(a) - sys.F(b)) / (2 * e);
        CHECK((col - J.col(j)).cwiseAbs().maxCoeff() < 1e-8);
    }
}

TEST_CASE("g_eff < 1: exactly one fixed point, h = 0, stable, saturated") {
    ModelParams m;
    m.g_h = 1.4;  // g_eff = 0.7
    const auto r = count_fixed_points(m, small(12));
    for (const auto& n : r.networks) {
        REQUIRE(n.roots.size() == 1);
        CHECK(n.roots[0].h.norm() < 1e-12);
        CHECK(n.roots[0].stable);
        CHECK(n.saturated);
    }
    CHECK(r.mean_count == 1.0);
    CHECK(r.saturated);
}

TEST_CASE("g_eff = 2, N = 10: every root certified, the +-h symmetry holds, 0 is unstable") {
    ModelParams m;
    m.g_h = 4;  // beta_r = 0: sigma_r(0) = 1/2, g_eff = 2
    CountOptions o = small(10);
    const auto r = count_fixed_points(m, o);
    for (const auto& n : r.networks) {
        FixedPointSystem sys(m, 10, n.seed);
        CHECK(n.roots.size() % 2 == 1);  // 0 and pairs
        for (const auto& root : n.roots) {
            CHECK(sys.F(root.h).cwiseAbs().maxCoeff() < 1e-10);
            CHECK(root.residual < 1e-10);
            bool partner = false;
            for (const auto& other : n.roots) partner = partner || (other.h + root.h).norm() < 1e-6;
            CHECK(partner);
        }
        CHECK(n.roots.front().h.norm() < 1e-12);
        CHECK(!n.roots.front().stable);
        MESSAGE("N = 10, g = 2: " << n.roots.size() << " roots, late " << n.found_late << ", " << n.seconds << " s");
    }
}

TEST_CASE("the count does not depend on tau_z, alpha_z, tau_r (search with the symmetry off)") {
    ModelParams a;
    a.g_h = 5;  // g_eff = 2.5
    ModelParams b = a;
    b.alpha_z = 6;
    b.beta_z = 1;
    b.tau_z = 0;
    b.tau_r = 5;
    b.g_z = 2;
    CountOptions o = small(8);
    o.networks = 1;
    o.use_symmetry = false;
    const auto ra = count_fixed_points(a, o), rb = count_fixed_points(b, o);
    REQUIRE(ra.networks[0].roots.size() == rb.networks[0].roots.size());
    for (std::size_t k = 0; k < ra.networks[0].roots.size(); ++k)
        CHECK((ra.networks[0].roots[k].h - rb.networks[0].roots[k].h).norm() < 1e-9);
}

TEST_CASE("roots are fixed points of the full network with dynamic z and r gates (gated, alpha_r = 4)") {
    ModelParams m;
    m.g_h = 3;
    m.alpha_r = 4;
    m.alpha_z = 6;
    m.tau_z = 2;
    m.tau_r = 0.5;
    const std::size_t N = 6;
    CountOptions o = small(N);
    o.networks = 1;
    const auto r = count_fixed_points(m, o);
    const auto& n = r.networks[0];
    NetworkOptions no;
    no.N = N;
    no.seed = n.seed;
    Network net(m, no);
    REQUIRE(net.dim() == 3 * N);
    const Eigen::MatrixXd Jz = [&] {
        CouplingMatrix c(N, n.seed, {kStreamJz}, {m.g_z}, false);
        Eigen::MatrixXd M(N, N);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < N; ++j) M(i, j) = c(i, j);
        return M;
    }();
    FixedPointSystem sys(m, N, n.seed);
    CHECK(n.roots.size() >= 1);
    for (const auto& root : n.roots) {
        const Eigen::VectorXd p = root.h.array().tanh().matrix();
        Eigen::MatrixXd X(3 * N, 1), dX;
        X << root.h, Jz * p, sys.Jr * p;
        net.rhs(X, dX, Columns{});
        CHECK(dX.cwiseAbs().maxCoeff() < 1e-9);
    }
}

TEST_CASE("regression: the zero root is counted next to a small-norm pair (N = 25, g_eff = 2)") {
    // This network (seed from a --count run) has a pair of roots with |h|^2/N = 3.6e-4 near 0; Newton from
    // every start went to the pair, and the count was 8 without h = 0.
    ModelParams m;
    m.g_h = 4;
    CountOptions o;
    o.N = 25;
    const auto c = count_fixed_points(FixedPointSystem(m, 25, 15065460854596737028ULL), o);
    CHECK(c.roots.size() % 2 == 1);
    CHECK(c.roots.front().h.norm() == 0.0);
}

TEST_CASE("bad input names the key") {
    ModelParams m;
    CountOptions o = small(1);
    CHECK_THROWS_AS(count_fixed_points(m, o), BadInput);
    o = small(5);
    o.networks = 0;
    CHECK_THROWS_AS(count_fixed_points(m, o), BadInput);
}
