// Lyapunov exponents by QR (validation/lyapunov) on systems whose exponents are known exactly: a linear
// flow, and the stable zero fixed point of the gated network, where the exponents are the real parts of
// the Jacobian's eigenvalues and their sum is its trace.
#include "validation/integrator.hpp"
#include "validation/lyapunov.hpp"
#include "validation/network.hpp"
#include "validation/simulation.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace gdmft;
using namespace gdmft::sim;

TEST_CASE("Kaplan-Yorke dimension") {
    // Partial sums 0.5, 0.6, 0.3, -0.7: j = 3, D = 3 + 0.3/1.0.
    CHECK(kaplan_yorke_dimension({0.5, 0.1, -0.3, -1.0}) == doctest::Approx(3.3));
    CHECK(kaplan_yorke_dimension({-1.0, 0.1, 0.5, -0.3}) == doctest::Approx(3.3));  // sorted internally
    CHECK(kaplan_yorke_dimension({0.2, -0.4}) == doctest::Approx(1.5));
    CHECK(kaplan_yorke_dimension({-0.1, -0.2}) == 0.0);
    CHECK(std::isnan(kaplan_yorke_dimension({0.2, 0.1})));  // every partial sum >= 0: need more exponents
}

TEST_CASE("QR method recovers the exponents of a linear flow") {
    // A = O diag(0.3, -0.1, -0.5, -1.2, -2.0) O^T: the Lyapunov exponents are the eigenvalues.
    const Eigen::VectorXd eig = (Eigen::VectorXd(5) << 0.3, -0.1, -0.5, -1.2, -2.0).finished();
    const Eigen::MatrixXd O = random_orthonormal(5, 5, 99);
    const Eigen::MatrixXd A = O * eig.asDiagonal() * O.transpose();
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { dx = A * x; };
    const int K = 4;
    const double T = 400, t_start = 20, interval = 1.0;
    Integrator integ({IntegratorKind::Rk4, 0.02});
    LyapunovQR qr(K, t_start, T, 10);
    Eigen::MatrixXd V = random_orthonormal(5, K, 5);
    double t = 0;
    while (t < T - 1e-9) {
        const double t_prev = t;
        integ.advance(f, V, t, t + interval);
        REQUIRE(qr.renormalize(V, t_prev, t));
    }
    const LyapunovSpectrum s = qr.result();
    CHECK(s.time == doctest::Approx(T - t_start));
    CHECK(s.blocks.size() == 10u);
    for (int k = 0; k < K; ++k) {
        CAPTURE(k);
        // The transient of the tangent alignment decays before t_start; what remains is O(dt^4).
        CHECK(s.exponents[k] == doctest::Approx(eig(k)).epsilon(0).scale(1).epsilon(1e-4));
        CHECK(s.stderr_[k] < 1e-4);
    }
    // Orthonormal after the last renormalisation.
    CHECK((V.transpose() * V - Eigen::MatrixXd::Identity(K, K)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("gated network at its stable zero fixed point: exponents = Re eig(J), sum = trace(J)") {
    ModelParams p;
    p.g_h = 1.2, p.g_z = 1.5, p.g_r = 1.1;
    p.alpha_z = 1.5, p.alpha_r = 2.0;
    p.tau_h = 1.0, p.tau_z = 0.7, p.tau_r = 1.6;
    const std::size_t N = 8;
    SimulationOptions o;
    o.N = N;
    o.seed = 4;
    o.t_max = 300;
    o.t_burn = 100;
    o.integrator.dt = 0.05;
    o.sample_dt = 0.5;
    o.lyapunov_k = 3 * N;  // the whole tangent space
    const RealizationResult r = simulate_one(p, o, 4, "test");
    REQUIRE(r.lyapunov.exponents.size() == 3 * N);
    CHECK(r.m.C_h0 < 1e-20);  // the run sat on the fixed point h = 0

    // The Jacobian at x = 0, column by column from the tangent (tested against finite differences in
    // test_network.cpp), and its spectrum.
    const Network net(p, {N, 4, false, false});
    const Eigen::Index d = static_cast<Eigen::Index>(net.dim());
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(d, 1 + d), dX;
    X.rightCols(d) = Eigen::MatrixXd::Identity(d, d);
    net.rhs(X, dX, Columns{1, static_cast<int>(d)});
    const Eigen::MatrixXd J = dX.rightCols(d);
    Eigen::EigenSolver<Eigen::MatrixXd> es(J);
    std::vector<double> re;
    for (Eigen::Index k = 0; k < d; ++k) re.push_back(es.eigenvalues()(k).real());
    std::sort(re.begin(), re.end(), std::greater<>());
    REQUIRE(re[0] < 0);  // stable, as the run assumes

    double sum = 0;
    for (double l : r.lyapunov.exponents) sum += l;
    // Sum of all exponents = log det of the RK4 propagator per unit time = tr J up to O(dt^4).
    CHECK(sum == doctest::Approx(J.trace()).epsilon(1e-5));
    // The leading exponents: the three largest real parts (distinct here), to within the O(1/T)
    // alignment error of the QR method over T = 200.
    for (int k = 0; k < 3; ++k) {
        CAPTURE(k);
        CHECK(r.lyapunov.exponents[k] == doctest::Approx(re[static_cast<std::size_t>(k)]).epsilon(0.02));
    }
    CHECK(r.kaplan_yorke == 0.0);
}
