// The finite-N network: right-hand side against a direct transcription of THEORY.md section 1, its
// Jacobian-vector product against central finite differences, reproducibility (seed, thread count),
// and the coupling statistics.
#include "validation/network.hpp"
#include "validation/random.hpp"
#include "validation/simulation.hpp"

#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

ModelParams gated(double tau_z, double tau_r) {
    ModelParams p;
    p.g_h = 2.5, p.g_z = 1.3, p.g_r = 0.8;
    p.alpha_z = 1.7, p.beta_z = 0.4, p.alpha_r = 2.2, p.beta_r = -0.3;
    p.tau_h = 1.3, p.tau_z = tau_z, p.tau_r = tau_r;
    p.input_mean = 0.2, p.input_std = 0.5;
    return p;
}

// dh/dt (and dz/dt, dr/dt) written out unit by unit from THEORY.md section 1, for trajectory column 0.
Eigen::VectorXd direct_rhs(const Network& net, const Eigen::VectorXd& x) {
    const ModelParams& p = net.params();
    const Phi phi = p.phi_fn();
    const Gate gz = p.gate_z(), gr = p.gate_r();
    const std::size_t N = net.N();
    const auto n = static_cast<Eigen::Index>(N);
    Eigen::VectorXd a(n), z(n), r(n), fz(n), fr(n), dx(x.size());
    for (Eigen::Index j = 0; j < n; ++j) a(j) = phi(x(j));
    // Gate fields sum_j J_ij phi(h_j), with the stacked [Jz; Jr] rows of the simulated gates.
    Eigen::Index row_z = 0, row_r = net.z_simulated() ? n : 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        double sz_f = 0, sr_f = 0;
        for (Eigen::Index j = 0; j < n; ++j) {
            if (net.z_simulated()) sz_f += net.Jgates()(row_z + i, j) * a(j);
            if (net.r_simulated()) sr_f += net.Jgates()(row_r + i, j) * a(j);
        }
        fz(i) = sz_f, fr(i) = sr_f;
    }
    Eigen::Index off = n;
    if (net.z_in_state()) z = x.segment(off, n), off += n; else z = fz;
    if (net.r_in_state()) r = x.segment(off, n); else r = fr;
    for (Eigen::Index i = 0; i < n; ++i) {
        double s = 0;
        for (Eigen::Index j = 0; j < n; ++j) s += net.Jh()(i, j) * gr(r(j)) * a(j);
        dx(i) = gz(z(i)) / p.tau_h * (-x(i) + s + net.input()(i));
    }
    off = n;
    if (net.z_in_state()) {
        for (Eigen::Index i = 0; i < n; ++i) dx(off + i) = (-z(i) + fz(i)) / p.tau_z;
        off += n;
    }
    if (net.r_in_state())
        for (Eigen::Index i = 0; i < n; ++i) dx(off + i) = (-r(i) + fr(i)) / p.tau_r;
    return dx;
}

Eigen::VectorXd random_state(const Network& net, std::uint64_t seed, double scale) {
    NormalStream rng(seed);
    Eigen::VectorXd x(static_cast<Eigen::Index>(net.dim()));
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = scale * rng.normal();
    return x;
}

}  // namespace

TEST_CASE("right-hand side equals the unit-by-unit equations of THEORY.md section 1") {
    for (auto [tz, tr] : {std::pair{0.7, 2.0}, {0.0, 0.0}, {0.0, 1.5}, {2.0, 0.0}}) {
        CAPTURE(tz);
        CAPTURE(tr);
        const Network net(gated(tz, tr), {40, 11, false, false});
        CHECK(net.dim() == 40u * (1 + (tz > 0) + (tr > 0)));
        const Eigen::VectorXd x = random_state(net, 5, 1.2);
        Eigen::MatrixXd dX;
        net.rhs(x, dX, Columns{1, 0});
        const Eigen::VectorXd ref = direct_rhs(net, x);
        CHECK((dX.col(0) - ref).cwiseAbs().maxCoeff() < 1e-12 * (1 + ref.cwiseAbs().maxCoeff()));
    }
}

TEST_CASE("constant gates: SCS right-hand side, no gate matrices, tracking adds them") {
    ModelParams p = gated(1.0, 1.0);
    p.alpha_z = p.alpha_r = 0;
    const Network scs(p, {30, 3, false, false});
    CHECK(scs.dim() == 30u);
    CHECK(scs.Jgates().empty());
    CHECK(scs.bytes_per_rhs() == 30u * 30u * sizeof(double));
    const Eigen::VectorXd x = random_state(scs, 8, 1.0);
    Eigen::MatrixXd dX;
    scs.rhs(x, dX, Columns{1, 0});
    // tau_eff dh/dt = -h + g_eff Jh/g_h phi(h) + I, with sigma_z(0), sigma_r(0) from the biases.
    const double sz0 = 1 / (1 + std::exp(p.beta_z)), sr0 = 1 / (1 + std::exp(p.beta_r));
    for (Eigen::Index i = 0; i < 30; ++i) {
        double s = 0;
        for (Eigen::Index j = 0; j < 30; ++j) s += scs.Jh()(i, j) * std::tanh(x(j));
        CHECK(dX(i, 0) == doctest::Approx(sz0 / p.tau_h * (-x(i) + sr0 * s + scs.input()(i))).epsilon(1e-12));
    }
    // Tracking the (constant) gates adds z and r to the state but leaves h's dynamics unchanged.
    const Network tracked(p, {30, 3, false, true});
    CHECK(tracked.dim() == 90u);
    Eigen::VectorXd xt = Eigen::VectorXd::Zero(90);
    xt.head(30) = x;
    xt.tail(60) = random_state(tracked, 9, 1.0).tail(60);
    Eigen::MatrixXd dXt;
    tracked.rhs(xt, dXt, Columns{1, 0});
    CHECK((dXt.col(0).head(30) - dX.col(0)).cwiseAbs().maxCoeff() < 1e-14);
    CHECK((dXt.col(0) - direct_rhs(tracked, xt)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("tangent columns: Jacobian-vector products match central finite differences") {
    for (auto [tz, tr] : {std::pair{0.7, 2.0}, {0.0, 0.0}, {0.0, 1.5}, {2.0, 0.0}}) {
        for (PhiKind kind : {PhiKind::Tanh, PhiKind::Erf}) {
            CAPTURE(tz);
            CAPTURE(tr);
            ModelParams p = gated(tz, tr);
            p.phi = kind;
            const Network net(p, {30, 21, false, false});
            const Eigen::Index d = static_cast<Eigen::Index>(net.dim());
            // Two trajectories with two tangent vectors each: columns x0, x1, v00, v01, v10, v11.
            const Columns cols{2, 2};
            Eigen::MatrixXd X(d, cols.total());
            X.col(0) = random_state(net, 1, 1.5);
            X.col(1) = random_state(net, 2, 1.0);
            for (int c = 2; c < 6; ++c) X.col(c) = random_state(net, 10 + c, 1.0);
            Eigen::MatrixXd dX;
            net.rhs(X, dX, cols);
            for (int c = 2; c < 6; ++c) {
                const int m = cols.base_of(c);
                const double eps = 1e-5;
                Eigen::MatrixXd fp, fm;
                net.rhs(X.col(m) + eps * X.col(c), fp, Columns{1, 0});
                net.rhs(X.col(m) - eps * X.col(c), fm, Columns{1, 0});
                const Eigen::VectorXd fd = (fp - fm) / (2 * eps);
                CHECK((dX.col(c) - fd).cwiseAbs().maxCoeff() < 1e-7 * (1 + fd.cwiseAbs().maxCoeff()));
            }
            // The trajectories are unaffected by the tangent columns, up to the summation order of the
            // matrix-matrix product (which depends on the number of columns).
            Eigen::MatrixXd alone;
            net.rhs(X.leftCols(2), alone, Columns{2, 0});
            CHECK((alone - dX.leftCols(2)).cwiseAbs().maxCoeff() < 1e-13 * (1 + alone.cwiseAbs().maxCoeff()));
        }
    }
}

TEST_CASE("same seed, same network and right-hand side whatever the thread count") {
    const ModelParams p = gated(0.5, 0.0);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const Network a(p, {300, 42, false, false});
    Eigen::MatrixXd Xa(a.dim(), 3), dA;
    Xa.col(0) = a.initial_state(0);
    Xa.col(1) = a.initial_state(1);
    Xa.col(2) = random_state(a, 3, 1.0);
    a.rhs(Xa, dA, Columns{2, 0});
    Eigen::MatrixXd dA1;
    a.rhs(Xa, dA1, Columns{1, 2});
    omp_set_num_threads(2);
    const Network b(p, {300, 42, false, false});
    Eigen::MatrixXd dB, dB1;
    b.rhs(Xa, dB, Columns{2, 0});
    b.rhs(Xa, dB1, Columns{1, 2});
    omp_set_num_threads(saved);
    CHECK(b.initial_state(0) == a.initial_state(0));
    CHECK(b.input() == a.input());
    bool same = true;
    for (std::size_t i = 0; i < 300; ++i)
        for (std::size_t j = 0; j < 300; ++j) same = same && a.Jh()(i, j) == b.Jh()(i, j) && a.Jgates()(i, j) == b.Jgates()(i, j);
    CHECK(same);
    CHECK(dA == dB);
    CHECK(dA1 == dB1);
    // Another seed gives another network.
    const Network c(p, {300, 43, false, false});
    CHECK(c.Jh()(0, 0) != a.Jh()(0, 0));
}

TEST_CASE("couplings are N(0, g^2/N): sample moments within their sampling error") {
    ModelParams p = gated(1, 1);
    const std::size_t N = 400;
    const Network net(p, {N, 7, false, false});
    // Jz and Jr must be independent of whether the other gate exists (per-matrix streams).
    ModelParams only_r = p;
    only_r.alpha_z = 0;
    const Network net_r(only_r, {N, 7, false, false});
    CHECK(net_r.Jgates()(5, 9) == net.Jgates()(N + 5, 9));
    struct M { const CouplingMatrix* J; std::size_t row0; double g; };
    for (const M& m : {M{&net.Jh(), 0, p.g_h}, M{&net.Jgates(), 0, p.g_z}, M{&net.Jgates(), N, p.g_r}}) {
        double s = 0, s2 = 0, s4 = 0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < N; ++j) {
                const double v = (*m.J)(m.row0 + i, j) * std::sqrt(double(N)) / m.g;  // ~ N(0, 1)
                s += v, s2 += v * v, s4 += v * v * v * v;
            }
        const double n = double(N * N);
        // Mean: sd 1/sqrt(n) = 0.0025; variance: sd sqrt(2/n) = 0.0035; kurtosis 3: sd sqrt(96/n) = 0.025.
        CHECK(std::abs(s / n) < 5 * 0.0025);
        CHECK(std::abs(s2 / n - 1) < 5 * 0.0035);
        CHECK(std::abs(s4 / n - 3) < 5 * 0.025);
    }
    // Quenched input I = mu + s xi.
    const double mean_in = net.input().mean();
    const double sd_in = std::sqrt((net.input().array() - mean_in).square().mean());
    CHECK(std::abs(mean_in - p.input_mean) < 5 * p.input_std / std::sqrt(double(N)));
    CHECK(std::abs(sd_in - p.input_std) < 5 * p.input_std / std::sqrt(2.0 * N));
}

TEST_CASE("float32 couplings: the same draws rounded, and a right-hand side within float precision") {
    const ModelParams p = gated(0.7, 0.0);
    const Network d(p, {200, 5, false, false}), f(p, {200, 5, true, false});
    CHECK(f.Jh().single_precision());
    CHECK(f.bytes_per_rhs() * 2 == d.bytes_per_rhs());
    CHECK(f.Jh()(3, 4) == static_cast<double>(static_cast<float>(d.Jh()(3, 4))));
    const Eigen::VectorXd x = d.initial_state(0);
    Eigen::MatrixXd dd, df;
    d.rhs(x, dd, Columns{1, 0});
    f.rhs(x, df, Columns{1, 0});
    const double scale = dd.cwiseAbs().maxCoeff();
    CHECK((dd - df).cwiseAbs().maxCoeff() < 1e-5 * scale);
    CHECK((dd - df).cwiseAbs().maxCoeff() > 0.0);
}

TEST_CASE("observables: instantaneous gates are computed from h, constant gates are sigma(0)") {
    const ModelParams p = gated(0.0, 0.9);
    const Network net(p, {50, 2, false, false});
    const Eigen::VectorXd x = random_state(net, 4, 1.0);
    const Observables o = net.observe(x, 0);
    CHECK(o.h == x.head(50));
    CHECK(o.r == x.tail(50));
    const Phi phi = p.phi_fn();
    double z7 = 0;
    for (std::size_t j = 0; j < 50; ++j) z7 += net.Jgates()(7, j) * phi(x(static_cast<Eigen::Index>(j)));
    CHECK(o.z(7) == doctest::Approx(z7).epsilon(1e-12));
    CHECK(o.sigma_z(7) == doctest::Approx(p.gate_z()(z7)).epsilon(1e-12));
    ModelParams scs = p;
    scs.alpha_z = scs.alpha_r = 0;
    const Network s(scs, {50, 2, false, false});
    const Observables os = s.observe(s.initial_state(0), 0);
    CHECK(os.z.size() == 0);
    CHECK(os.r.size() == 0);
    CHECK(os.sigma_z(3) == doctest::Approx(1 / (1 + std::exp(p.beta_z))));
}

TEST_CASE("coupling products: every kernel (GEMV, tiled, GEMM; double and float) equals the plain sum") {
    const std::size_t N = 77;  // rows not a multiple of the 8-row tiles nor of the 64-row blocks
    for (bool single : {false, true}) {
        const CouplingMatrix J(N, 3, {2, 3}, {1.5, 0.7}, single);  // a stack of two blocks: 154 rows
        REQUIRE(J.rows() == 2 * N);
        for (Eigen::Index C : {1, 2, 3, 5, 30}) {
            CAPTURE(single);
            CAPTURE(C);
            Eigen::MatrixXd X(static_cast<Eigen::Index>(N), C);
            NormalStream rng(C);
            for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
            Eigen::MatrixXd Y;
            J.multiply(X, Y);
            REQUIRE(Y.rows() == static_cast<Eigen::Index>(2 * N));
            double err = 0;
            for (std::size_t i = 0; i < 2 * N; ++i)
                for (Eigen::Index c = 0; c < C; ++c) {
                    double s = 0;
                    for (std::size_t j = 0; j < N; ++j) s += J(i, j) * X(static_cast<Eigen::Index>(j), c);
                    err = std::max(err, std::abs(s - Y(static_cast<Eigen::Index>(i), c)));
                }
            CHECK(err < 1e-13);  // double accumulation in every kernel, also for float storage
        }
    }
}

TEST_CASE("a whole simulation (measurements and Lyapunov QR) is identical with 1 or 2 threads") {
    ModelParams p = gated(0.5, 0.0);
    SimulationOptions o;
    o.N = 300;  // large enough for the matrix products to run in parallel
    o.t_burn = 4, o.t_max = 12, o.integrator.dt = 0.1, o.sample_dt = 0.2;
    o.lyapunov_k = 3;
    o.trajectories = 2;
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const RealizationResult a = simulate_one(p, o, 99, "threads");
    omp_set_num_threads(2);
    const RealizationResult b = simulate_one(p, o, 99, "threads");
    omp_set_num_threads(saved);
    CHECK(a.m.C_h0 == b.m.C_h0);
    CHECK(a.m.C_z0 == b.m.C_z0);
    CHECK(a.m.curves.C_phi == b.m.curves.C_phi);
    CHECK(a.m.participation_ratio == b.m.participation_ratio);
    CHECK(a.lyapunov.exponents == b.lyapunov.exponents);
    CHECK(a.lyapunov.blocks == b.lyapunov.blocks);
}
