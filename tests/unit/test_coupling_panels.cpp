// Packed coupling panels (validation/coupling_panels), the product used for tangent columns: equal to the
// plain sum (double sums to 1e-13; float sums within the a-priori rounding bound), bit-identical whatever
// the number of columns or threads; the network's tangent with float couplings and float sums against
// central finite differences; and the Lyapunov exponents with float against double tangent sums on one
// trajectory.
#include "validation/coupling_panels.hpp"
#include "validation/integrator.hpp"
#include "validation/lyapunov.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"
#include "validation/simulation.hpp"

#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

Eigen::MatrixXd normal_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
    NormalStream rng(seed);
    Eigen::MatrixXd X(rows, cols);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
    return X;
}

ModelParams gated() {
    ModelParams p;
    p.g_h = 3.0, p.g_z = 1.3, p.g_r = 0.8;
    p.alpha_z = 2.0, p.alpha_r = 2.0, p.beta_r = -0.3;
    p.tau_z = 1.0, p.tau_r = 0.7;
    p.input_std = 0.3;
    return p;
}

}  // namespace

TEST_CASE("panel products equal the plain sum; float sums stay within the rounding bound") {
    // 154 rows: not a multiple of the panel height (24 doubles or 48 floats with AVX-512, 12/24 without).
    const std::size_t N = 77;
    const double u = std::numeric_limits<float>::epsilon() / 2;  // unit roundoff of float
    for (bool single : {false, true}) {
        const CouplingMatrix J(N, 3, {2, 3}, {1.5, 0.7}, single);
        const CouplingPanels P(J);
        CHECK(P.single_precision() == single);
        for (Eigen::Index C : {1, 2, 3, 5, 8, 9, 13, 19}) {
            CAPTURE(single);
            CAPTURE(C);
            const Eigen::MatrixXd X = normal_matrix(static_cast<Eigen::Index>(N), C, 100 + C);
            for (Eigen::Index from : {Eigen::Index(-1), Eigen::Index(0), std::min<Eigen::Index>(2, C)}) {
                CAPTURE(from);
                Eigen::MatrixXd Y;
                P.multiply(X, Y, from);
                REQUIRE(Y.rows() == static_cast<Eigen::Index>(2 * N));
                REQUIRE(Y.cols() == C);
                double err_double = 0, worst_ratio = 0;
                for (std::size_t i = 0; i < 2 * N; ++i)
                    for (Eigen::Index c = 0; c < C; ++c) {
                        long double s = 0, a = 0;
                        for (std::size_t j = 0; j < N; ++j) {
                            const long double t = static_cast<long double>(J(i, j)) * X(static_cast<Eigen::Index>(j), c);
                            s += t;
                            a += std::abs(t);
                        }
                        const double e = std::abs(static_cast<double>(s) - Y(static_cast<Eigen::Index>(i), c));
                        if (single && from >= 0 && c >= from)
                            // Rounding X to float (u per term) plus N float fma steps: |e| <= (N + 2) u sum|t|.
                            worst_ratio = std::max(worst_ratio, e / ((N + 2) * u * static_cast<double>(a)));
                        else
                            err_double = std::max(err_double, e);
                    }
                CHECK(err_double < 1e-13);
                CHECK(worst_ratio <= 1.0);
            }
        }
    }
}

TEST_CASE("panel products are bit-identical whatever the number of columns or threads") {
    const std::size_t N = 150;
    const int saved = omp_get_max_threads();
    for (bool single : {false, true}) {
        CAPTURE(single);
        const CouplingMatrix J(N, 8, {2, 3}, {1.0, 1.0}, single);
        const CouplingPanels P(J);
        const Eigen::MatrixXd X = normal_matrix(static_cast<Eigen::Index>(N), 21, 7);
        const Eigen::Index from = single ? 1 : -1;
        omp_set_num_threads(1);
        Eigen::MatrixXd Y1, Y2, Ycol;
        P.multiply(X, Y1, from);
        omp_set_num_threads(2);
        P.multiply(X, Y2, from);
        omp_set_num_threads(saved);
        CHECK(Y1 == Y2);
        // Column 0 alone (double sums in either mode) and column 17 alone (float sums when single).
        P.multiply(X.col(0), Ycol, -1);
        CHECK(Ycol.col(0) == Y1.col(0));
        P.multiply(X.col(17), Ycol, single ? 0 : -1);
        CHECK(Ycol.col(0) == Y1.col(17));
        // Every column but the first, as one product: same bits.
        P.multiply(X.rightCols(20), Ycol, single ? 0 : -1);
        CHECK(Ycol == Y1.rightCols(20));
    }
}

TEST_CASE("float couplings: tangent with float sums matches finite differences to float precision") {
    const ModelParams p = gated();
    const Network fast(p, {120, 4, true, false, true}), exact(p, {120, 4, true, false, false});
    const Eigen::Index d = static_cast<Eigen::Index>(fast.dim());
    const Columns cols{1, 6};  // 7 columns: the panel path
    Eigen::MatrixXd X = normal_matrix(d, cols.total(), 3);
    Eigen::MatrixXd dF, dE;
    fast.rhs(X, dF, cols);
    exact.rhs(X, dE, cols);
    // The trajectory column keeps double sums: identical in both modes.
    CHECK(dF.col(0) == dE.col(0));
    for (int c = 1; c < cols.total(); ++c) {
        CAPTURE(c);
        const double eps = 1e-5;
        Eigen::MatrixXd fp, fm;
        exact.rhs(X.col(0) + eps * X.col(c), fp, Columns{1, 0});
        exact.rhs(X.col(0) - eps * X.col(c), fm, Columns{1, 0});
        const Eigen::VectorXd fd = (fp - fm) / (2 * eps);
        const double scale = 1 + fd.cwiseAbs().maxCoeff();
        // Double sums: the finite-difference error (~eps^2 f''' and 1e-16/eps roundoff), as for double
        // couplings in test_network. Float sums: rounding ~1e-7 sqrt(N) on O(1) products, far below 1e-5.
        CHECK((dE.col(c) - fd).cwiseAbs().maxCoeff() < 1e-7 * scale);
        const double err_fast = (dF.col(c) - fd).cwiseAbs().maxCoeff();
        CHECK(err_fast < 1e-5 * scale);
        CHECK(err_fast > 0.0);  // the float sums are in use
    }
}

TEST_CASE("Lyapunov exponents: float and double tangent sums agree on the same trajectory") {
    // One network with float couplings, advanced twice with 8 tangent vectors: the trajectory column
    // has double sums in both runs (bit-identical), so the exponents differ only through the tangent
    // arithmetic. Measured: |difference| <= 2.1e-9 over the 8 exponents (float rounding averages out);
    // tolerance 1e-7, four orders below the statistical error of an exponent in a run of practical
    // length (~1e-3).
    ModelParams p = gated();
    p.g_h = 4.0;
    const int K = 8;
    const double T = 40, t_start = 10;
    LyapunovSpectrum s[2];
    for (int v = 0; v < 2; ++v) {
        const Network net(p, {200, 9, true, false, v == 0});
        const Columns cols{1, K};
        const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
        Eigen::MatrixXd X(static_cast<Eigen::Index>(net.dim()), 1 + K);
        X.col(0) = net.initial_state(0);
        X.rightCols(K) = random_orthonormal(X.rows(), K, 4);
        Integrator integ({IntegratorKind::Rk4, 0.05});
        LyapunovQR qr(K, t_start, T, 4);
        double t = 0;
        while (t < T - 1e-9) {
            const double t_prev = t;
            integ.advance(f, X, t, t + 1.0);
            REQUIRE(qr.renormalize(X.rightCols(K), t_prev, t));
        }
        s[v] = qr.result();
    }
    CHECK(s[0].exponents[0] > 0.02);  // chaotic: a meaningful comparison
    for (int k = 0; k < K; ++k) {
        CAPTURE(k);
        CHECK(std::abs(s[0].exponents[k] - s[1].exponents[k]) < 1e-7);
    }
}

TEST_CASE("simulate --float32 --lyapunov-k: the same exponents with 1 or 2 threads") {
    // Float couplings with float tangent sums and double trajectory sums, 2 trajectories x 8 tangents
    // (18 columns: the panel path); N = 300 so that the products run in parallel.
    SimulationOptions o;
    o.N = 300;
    o.single_precision = true;
    o.t_burn = 4, o.t_max = 16, o.integrator.dt = 0.1, o.sample_dt = 0.2;
    o.lyapunov_k = 8;
    o.trajectories = 2;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const RealizationResult a = simulate_one(gated(), o, 17, "threads");
    omp_set_num_threads(2);
    const RealizationResult b = simulate_one(gated(), o, 17, "threads");
    omp_set_num_threads(saved);
    CHECK(a.lyapunov.exponents == b.lyapunov.exponents);
    CHECK(a.lyapunov.blocks == b.lyapunov.blocks);
    CHECK(a.m.C_h0 == b.m.C_h0);
}
