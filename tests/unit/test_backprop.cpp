// Exact finite-N backpropagation through time (validation/backprop): the adjoint and the coupling
// gradients against central finite differences of the loss, the dot-product identity with the existing
// exact tangent, checkpointing bit for bit, the memory plan, non-finite reporting, and the adjoint at a
// stable fixed point against references that do not use the code under test (matrix powers and
// exponentials of the Jacobian, and the large-N law exp(-2t) I_0(2 g t) of THEORY.md 7).
#include "../test_seed.hpp"
#include "numerics/errors.hpp"
#include "validation/backprop.hpp"
#include "validation/fixed_point_start.hpp"
#include "validation/integrator.hpp"
#include "validation/network.hpp"
#include "validation/network_adjoint.hpp"
#include "validation/random.hpp"

#include <doctest/doctest.h>
#include <unsupported/Eigen/MatrixFunctions>

#include <cmath>
#include <string>
#include <vector>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

// Bounds on the relative deviation of the mean a_h2 from exp(-2st) I_0(2 g st) at t_before_horizon =
// 0, 1, ..., 5 in the last test case: |mean| + 4.5 sd of the deviations measured over
// GDMFT_TEST_SEED_OFFSET = 0..12 (13 samples). Measured mean / sd / max |dev|:
//   t = 0: 0.0008 / 0.0153 / 0.025   t = 1: -0.0001 / 0.0160 / 0.029   t = 2: -0.0015 / 0.0190 / 0.037
//   t = 3: -0.0030 / 0.0232 / 0.044  t = 4: -0.0037 / 0.0274 / 0.050   t = 5: -0.0030 / 0.0317 / 0.053
constexpr double kI0Bound[6] = {0.070, 0.072, 0.087, 0.108, 0.127, 0.146};

Eigen::MatrixXd normals(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed, double sd = 1.0) {
    NormalStream rng(seed);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index c = 0; c < cols; ++c)
        for (Eigen::Index i = 0; i < rows; ++i) m(i, c) = sd * rng.normal();
    return m;
}

// A start state with h ~ N(0, 1) and gate states ~ N(0, 0.5^2) (the gates open and close a little).
Eigen::VectorXd start_state(const Network& net, std::uint64_t seed) {
    Eigen::VectorXd x = normals(static_cast<Eigen::Index>(net.dim()), 1, seed);
    x.tail(x.size() - static_cast<Eigen::Index>(net.N())) *= 0.5;
    return x;
}

// The loss w . h(T) of the window, integrated by the project's RK4 and Network::rhs (not by the code
// under test), one step of dt at a time.
double loss(const Network& net, const Eigen::VectorXd& x0, const Eigen::VectorXd& w, double T, double dt) {
    const Columns cols{1, 0};
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
    Integrator integ({IntegratorKind::Rk4, dt});
    Eigen::MatrixXd x = x0;
    const auto steps = static_cast<int>(std::lround(T / dt));
    for (int s = 0; s < steps; ++s) {
        double t = 0;
        integ.advance(f, x, t, dt);
    }
    return w.dot(x.col(0).head(w.size()));
}

struct Case {
    const char* name;
    ModelParams p;
    bool track = false;
};

std::vector<Case> cases() {
    std::vector<Case> c;
    ModelParams scs;
    scs.g_h = 2.0;
    c.push_back({"SCS (alpha = 0)", scs});
    ModelParams inst;
    inst.g_h = 2.5, inst.g_z = 1.2, inst.g_r = 1.5, inst.alpha_z = 2.0, inst.alpha_r = 3.0, inst.beta_z = 0.3,
    inst.beta_r = -0.2, inst.tau_z = 0.0, inst.tau_r = 0.0;
    c.push_back({"instantaneous gates", inst});
    ModelParams dyn = inst;
    dyn.tau_z = 1.5, dyn.tau_r = 0.7, dyn.tau_h = 0.8;
    c.push_back({"dynamic gates", dyn});
    ModelParams inp = dyn;
    inp.input_mean = 0.4, inp.input_std = 0.8, inp.phi = PhiKind::Erf;
    c.push_back({"dynamic gates with inputs (erf)", inp});
    ModelParams mixed = inst;
    mixed.tau_z = 2.0, mixed.tau_r = 0.0, mixed.input_std = 0.5;
    c.push_back({"dynamic z, instantaneous r, input", mixed});
    ModelParams tracked = dyn;
    tracked.alpha_r = 0.0;
    c.push_back({"dynamic z, tracked constant r", tracked, true});
    return c;
}

// Relative error of a set of finite differences against the adjoint, on the scale of the largest.
double rel_err(const std::vector<double>& fd, const std::vector<double>& adj) {
    double num = 0, den = 0;
    for (std::size_t k = 0; k < fd.size(); ++k) num = std::max(num, std::abs(fd[k] - adj[k])), den = std::max(den, std::abs(adj[k]));
    return num / den;
}

}  // namespace

TEST_CASE("the stage evaluation is Network::rhs bit for bit") {
    for (const Case& c : cases()) {
        NetworkOptions no;
        no.N = 23, no.seed = 5, no.track_gates = c.track;
        const Network net(c.p, no);
        const NetworkAdjoint adj(net);
        const Eigen::MatrixXd x = start_state(net, 11);
        Eigen::MatrixXd f1, f2;
        net.rhs(x, f1, Columns{1, 0});
        std::vector<double> rec(static_cast<std::size_t>(adj.record_size()));
        adj.evaluate(x, f2, rec.data());
        CHECK_MESSAGE(f1 == f2, std::string(c.name));
    }
}

TEST_CASE("adjoint and coupling gradients match central finite differences of the loss") {
    // Central differences with step eps: truncation ~ eps^2 L''' / 6 and rounding ~ 1e-16 |L| / eps,
    // both below 1e-8 relative here; the adjoint is exact to rounding. Measured: max relative error
    // 1e-10 .. 3e-9 at seed offset 0, at most 2.7e-8 over offsets 0..12 (printed below).
    const double T = 1.0, dt = 0.05, eps = 1e-5;
    for (const Case& c : cases()) {
        NetworkOptions no;
        no.N = 18, no.seed = gdmft_test::seed(21), no.track_gates = c.track;
        const Network net(c.p, no);
        const Eigen::Index n = 18, dim = static_cast<Eigen::Index>(net.dim());
        const Eigen::VectorXd x0 = start_state(net, gdmft_test::seed(22));
        const Eigen::MatrixXd W = normals(n, 2, gdmft_test::seed(23));
        AdjointWindow win;
        win.horizon = T, win.dt = dt, win.profile_spacing = 0.25, win.keep_gradients = true;
        const NetworkGradient g = network_gradient(net, x0, W, win);
        REQUIRE(g.termination == BackpropTermination::Finished);
        const Eigen::VectorXd w = W.col(1);
        const int r = 1;

        std::vector<double> fd, ad;
        for (Eigen::Index i = 0; i < dim; ++i) {
            Eigen::VectorXd xp = x0, xm = x0;
            xp(i) += eps, xm(i) -= eps;
            fd.push_back((loss(net, xp, w, T, dt) - loss(net, xm, w, T, dt)) / (2 * eps));
            ad.push_back(g.dL_dx0(i, r));
        }
        const double e_x = rel_err(fd, ad);

        // Coupling entries: perturb a copy of the matrices (Network::with_couplings).
        const std::vector<std::pair<Eigen::Index, Eigen::Index>> entries{{0, 0}, {3, 7}, {11, 2}, {17, 16}, {9, 9}};
        auto fd_entries = [&](bool gate, Eigen::Index row0, const Eigen::MatrixXd& adjoint) {
            std::vector<double> f, a;
            const RowMatrixD Jh = net.Jh().values(), Jg = net.Jgates().values();
            for (auto [i, j] : entries) {
                RowMatrixD P = gate ? Jg : Jh, M = P;
                P(row0 + i, j) += eps, M(row0 + i, j) -= eps;
                const Network np = gate ? net.with_couplings(CouplingMatrix(Jh), CouplingMatrix(P))
                                        : net.with_couplings(CouplingMatrix(P), net.Jgates());
                const Network nm = gate ? net.with_couplings(CouplingMatrix(Jh), CouplingMatrix(M))
                                        : net.with_couplings(CouplingMatrix(M), net.Jgates());
                f.push_back((loss(np, x0, w, T, dt) - loss(nm, x0, w, T, dt)) / (2 * eps));
                a.push_back(adjoint(i, j));
            }
            return rel_err(f, a);
        };
        const double e_h = fd_entries(false, 0, g.dL_dJh[r]);
        double e_z = 0, e_r = 0;
        CHECK(g.log_grad_norm_Jz.has_value() == (c.p.alpha_z != 0));
        CHECK(g.log_grad_norm_Jr.has_value() == (c.p.alpha_r != 0));
        if (c.p.alpha_z != 0) e_z = fd_entries(true, 0, g.dL_dJz[r]);
        if (c.p.alpha_r != 0) e_r = fd_entries(true, net.z_simulated() ? n : 0, g.dL_dJr[r]);
        MESSAGE(std::string(c.name) << ": relative error dL/dx(t0) " << e_x << ", dL/dJh " << e_h << ", dL/dJz " << e_z
                       << ", dL/dJr " << e_r);
        CHECK(e_x < 1e-6);
        CHECK(e_h < 1e-6);
        CHECK(e_z < 1e-6);
        CHECK(e_r < 1e-6);
        // The reported norm is (1/N^2) sum_ij (dL/dJh_ij)^2 of the same matrix.
        CHECK(std::exp(g.log_grad_norm_Jh(r)) ==
              doctest::Approx(g.dL_dJh[r].squaredNorm() / double(n * n)).epsilon(1e-12));
        // a_h(T) = w: the first profile point is |w|^2 / N.
        CHECK(std::exp(g.log_a_h2(0, r)) == doctest::Approx(w.squaredNorm() / double(n)).epsilon(1e-14));
    }
}

TEST_CASE("dot-product identity with the existing exact tangent: <a(t0), dx(t0)> = <a(T), dx(T)>") {
    // dx is stepped by Network::rhs tangent columns through the Integrator's RK4 (the linearisation of
    // the same RK4 step); a(t0) comes from the transposed steps. Measured: relative differences ~1e-15.
    for (const Case& c : cases()) {
        NetworkOptions no;
        no.N = 30, no.seed = gdmft_test::seed(31), no.track_gates = c.track;
        const Network net(c.p, no);
        const Eigen::Index n = 30, dim = static_cast<Eigen::Index>(net.dim());
        const Eigen::VectorXd x0 = start_state(net, gdmft_test::seed(32));
        const Eigen::MatrixXd W = normals(n, 3, gdmft_test::seed(33));
        AdjointWindow win;
        win.horizon = 3.0, win.dt = 0.05, win.profile_spacing = 0.5, win.keep_gradients = true;
        const NetworkGradient g = network_gradient(net, x0, W, win);
        REQUIRE(g.termination == BackpropTermination::Finished);

        const Eigen::VectorXd v = normals(dim, 1, gdmft_test::seed(34));
        Eigen::MatrixXd X(dim, 2);
        X.col(0) = x0, X.col(1) = v;
        const Columns cols{1, 1};
        const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
        Integrator integ({IntegratorKind::Rk4, win.dt});
        for (std::size_t s = 0; s < win.steps(); ++s) {
            double t = 0;
            integ.advance(f, X, t, win.dt);
        }
        for (int r = 0; r < 3; ++r) {
            const double before = g.dL_dx0.col(r).dot(v), after = W.col(r).dot(X.col(1).head(n));
            const double scale = g.dL_dx0.col(r).cwiseAbs().dot(v.cwiseAbs());  // no cancellation credit
            MESSAGE(std::string(c.name) << " readout " << r << ": " << before << " vs " << after << ", relative "
                           << std::abs(before - after) / scale);
            CHECK(std::abs(before - after) <= 1e-12 * scale);
        }
    }
}

TEST_CASE("checkpointing is bit for bit the same as storing every step") {
    ModelParams p = cases()[3].p;  // dynamic gates with inputs
    p.g_h = 3.0;
    NetworkOptions no;
    no.N = 25, no.seed = gdmft_test::seed(41);
    const Network net(p, no);
    const Eigen::VectorXd x0 = start_state(net, gdmft_test::seed(42));
    const Eigen::MatrixXd W = normals(25, 3, gdmft_test::seed(43));
    AdjointWindow win;
    win.horizon = 6.0, win.dt = 0.05, win.profile_spacing = 0.5, win.keep_gradients = true;
    auto run = [&](int K) {
        AdjointWindow w = win;
        w.checkpoint_interval = K;
        return network_gradient(net, x0, W, w);
    };
    const NetworkGradient all = run(static_cast<int>(win.steps()));  // one segment: every step stored
    for (int K : {0, 1, 7, 50}) {
        const NetworkGradient g = run(K);
        CHECK(g.log_a_h2 == all.log_a_h2);
        CHECK(*g.log_a_z2 == *all.log_a_z2);
        CHECK(*g.log_a_r2 == *all.log_a_r2);
        CHECK(g.dL_dx0 == all.dL_dx0);
        for (int r = 0; r < 3; ++r) {
            CHECK(g.dL_dJh[r] == all.dL_dJh[r]);
            CHECK(g.dL_dJz[r] == all.dL_dJz[r]);
            CHECK(g.dL_dJr[r] == all.dL_dJr[r]);
        }
    }
    // Readouts in groups of one: other matrix shapes in the products, the same values to rounding.
    AdjointWindow w1 = win;
    w1.keep_gradients = false, w1.readout_group = 1;
    const NetworkGradient one = network_gradient(net, x0, W, w1);
    CHECK((one.log_a_h2 - all.log_a_h2).cwiseAbs().maxCoeff() < 1e-13);
    CHECK((one.log_grad_norm_Jh - all.log_grad_norm_Jh).cwiseAbs().maxCoeff() < 1e-13);
}

TEST_CASE("memory plan: N = 2000 with 10^4 steps fits in 1 GiB; impossible limits name the flags") {
    ModelParams p = cases()[2].p;  // dynamic gates: h, z, r state rows, Jh, Jz, Jr
    AdjointWindow w;
    w.dt = 0.05, w.horizon = 500.0;  // 10^4 steps
    const MemoryPlan m = plan_memory(p, 2000, false, 4, w);
    MESSAGE("N = 2000, 10^4 steps, 4 readouts: K = " << m.checkpoint_interval << ", " << m.checkpoints
                                                      << " checkpoints " << m.checkpoint_bytes << " B, segment "
                                                      << m.segment_bytes << " B, accumulators " << m.accumulator_bytes
                                                      << " B, couplings " << m.coupling_bytes << " B, total "
                                                      << m.total_bytes << " B, group " << m.readout_group);
    CHECK(m.steps == 10000);
    CHECK(m.total_bytes <= 1073741824.0);
    CHECK(m.readout_group == 4);
    CHECK(m.groups == 1);
    CHECK(m.coupling_bytes == 3.0 * 2000 * 2000 * 8);
    CHECK(m.accumulator_bytes == 4 * 3.0 * 2000 * 2000 * 8);  // Jh, Jz, Jr per readout
    CHECK(m.checkpoints * m.checkpoint_interval >= m.steps);
    // 16 readouts do not fit at once: groups, each within the limit.
    const MemoryPlan m16 = plan_memory(p, 2000, false, 16, w);
    CHECK(m16.groups > 1);
    CHECK(m16.total_bytes <= 1073741824.0);

    AdjointWindow huge = w;
    huge.horizon = 5e6;  // 10^8 steps: checkpoints and a segment need ~2 GiB
    try {
        plan_memory(p, 2000, false, 4, huge);
        FAIL("no exception");
    } catch (const BadInput& e) {
        MESSAGE(std::string(e.what()));
        CHECK(e.name == "horizon");
        CHECK(std::string(e.what()).find("--memory-limit 1073741824") != std::string::npos);
        CHECK(std::string(e.what()).find("bytes") != std::string::npos);
    }
    AdjointWindow tiny = w;
    tiny.memory_limit = 1e6;
    CHECK_THROWS_WITH_AS(plan_memory(p, 2000, false, 4, tiny), doctest::Contains("memory-limit"), BadInput);
    AdjointWindow bad = w;
    bad.horizon = 0;
    CHECK_THROWS_WITH_AS(plan_memory(p, 2000, false, 4, bad), doctest::Contains("horizon"), BadInput);
    bad.horizon = 1.02;  // not a multiple of dt
    CHECK_THROWS_WITH_AS(plan_memory(p, 2000, false, 4, bad), doctest::Contains("horizon"), BadInput);
    bad = w, bad.profile_spacing = 0.07;
    CHECK_THROWS_WITH_AS(plan_memory(p, 2000, false, 4, bad), doctest::Contains("profile_spacing"), BadInput);
}

TEST_CASE("values beyond double range and non-finite adjoints are reported with their time") {
    SUBCASE("readouts of size 1e300: |a_h|^2/N ~ 1e600 is kept as a logarithm") {
        ModelParams p;
        p.g_h = 1.5;
        BackpropOptions o;
        o.N = 20, o.seed = gdmft_test::seed(51), o.readouts = 2, o.burn_in = 5;
        o.window.horizon = 2, o.window.profile_spacing = 0.5;
        const BackpropResult small = backprop_gradients(p, o);
        NetworkOptions no;
        no.N = 20, no.seed = small.networks[0].seed;
        const Network net(p, no);
        // The same network and state, readouts scaled by 1e300 (the loss is linear in w).
        Eigen::MatrixXd x = net.initial_state(0);
        {
            const System f = [&](const Eigen::MatrixXd& X, Eigen::MatrixXd& dX, double) { net.rhs(X, dX, Columns{1, 0}); };
            Integrator integ({IntegratorKind::Rk4, o.window.dt});
            double t = 0;
            integ.advance(f, x, t, o.burn_in);
        }
        Eigen::MatrixXd W(20, 2);
        for (int r = 0; r < 2; ++r) {
            NormalStream rng(derive_seed(derive_seed(no.seed, kStreamReadout), r));
            for (int i = 0; i < 20; ++i) W(i, r) = 1e300 * rng.normal();
        }
        const NetworkGradient big = network_gradient(net, x.col(0), W, o.window);
        CHECK(big.termination == BackpropTermination::Finished);
        const double shift = 2 * std::log(1e300);
        CHECK((big.log_a_h2.array() - shift - small.networks[0].log_a_h2.array()).abs().maxCoeff() < 1e-9);
        CHECK((big.log_grad_norm_Jh.array() - shift - small.networks[0].log_grad_norm_Jh.array()).abs().maxCoeff() < 1e-9);
        CHECK(!small.nonfinite_t_before_horizon);
        CHECK(small.profile[0].a_h2.value().has_value());
    }
    SUBCASE("an unstable fixed point over a long horizon: the profile leaves double range at a reported time") {
        // At x = 0 (no input) the forward state stays exactly 0 while the adjoint is exp(A^T t) w-like,
        // A = s(-I + sigma_r(0) Jh), g_eff = 3: |a_h|^2/N grows at 2 Re(mu_max(A)) ~ 2 s (g_eff - 1) = 2
        // (circular law; THEORY.md 7) and leaves double range (e^709.8) near t_before_horizon ~ 355.
        // The reference rate is the rightmost eigenvalue of the RK4 step matrix P(hA), computed here.
        ModelParams p;
        p.g_h = 6.0;  // sigma_r(0) = sigma_z(0) = 1/2: g_eff = 3, s = 1/2
        const Eigen::Index n = 100;
        std::vector<NetworkGradient> nets;
        std::vector<double> ref_rates;
        AdjointWindow w;
        w.horizon = 450, w.dt = 0.1, w.profile_spacing = 10.0;
        for (int k = 0; k < 2; ++k) {
            NetworkOptions no;
            no.N = n, no.seed = gdmft_test::seed(52 + k);
            const Network net(p, no);
            nets.push_back(network_gradient(net, Eigen::VectorXd::Zero(n), normals(n, 2, gdmft_test::seed(55 + k)), w));
            const Eigen::MatrixXd Z = w.dt * 0.5 * (-Eigen::MatrixXd::Identity(n, n) + 0.5 * net.Jh().values());
            const Eigen::MatrixXd P = Eigen::MatrixXd::Identity(n, n) + Z + Z * Z / 2 + Z * Z * Z / 6 + Z * Z * Z * Z / 24;
            ref_rates.push_back(2 * std::log(P.eigenvalues().cwiseAbs().maxCoeff()) / w.dt);
        }
        const BackpropResult r = summarize_gradients(nets);
        CHECK(r.stderr_over == "networks");
        REQUIRE(r.nonfinite_t_before_horizon.has_value());
        const double t_nf = *r.nonfinite_t_before_horizon;
        const double log_max = std::log(std::numeric_limits<double>::max());
        MESSAGE("non-finite from t_before_horizon = " << t_nf << "; log a_h2 at T " << r.profile.back().a_h2.log_mean);
        bool seen = false;
        for (const auto& pt : r.profile) {
            CHECK(std::isfinite(pt.a_h2.log_mean));  // the logarithm is always kept
            CHECK(pt.a_h2.value().has_value() == (pt.a_h2.log_mean <= log_max));
            if (!seen && !pt.a_h2.value()) {  // the first point beyond range is the one reported
                CHECK(pt.t_before_horizon == t_nf);
                seen = true;
            }
        }
        CHECK(t_nf > 250);
        CHECK(t_nf < 450);
        CHECK(!r.profile.back().a_h2.value());
        CHECK(r.grad_norm_Jh.value() == 0.0);  // phi(0) = 0: no coupling gradient at the fixed point
        for (std::size_t k = 0; k < nets.size(); ++k) CHECK(nets[k].termination == BackpropTermination::Finished);
        // Growth rate per network against the rightmost eigenvalue of its step matrix. Measured over
        // seed offsets 0..12: relative difference at most 3.2e-4 (the subleading modes have died out by
        // t = 200); t_nf between 300 and 390.
        const GrowthFit fit = fit_growth_rate(r, 200, 450);
        const double ref = 0.5 * (ref_rates[0] + ref_rates[1]);
        MESSAGE("growth rate of a_h2 " << fit.rate << " +- " << fit.stderr_ << " over " << fit.over
                                       << "; eigenvalue reference " << ref);
        CHECK(fit.over == "networks");
        CHECK(fit.rate == doctest::Approx(ref).epsilon(0.01));
    }
    SUBCASE("an overflow inside one step: the adjoint becomes non-finite") {
        // At x = 0 (no input) the forward state stays exactly 0, while the transposed RK4 step
        // multiplies the adjoint by ~(h sigma_z(0) / tau_h)^4 / 24 ~ 1e311: beyond double range within the
        // first step back from the horizon, before any rescaling can act.
        ModelParams p;
        p.g_h = 1.0, p.tau_h = 1e-80;
        NetworkOptions no;
        no.N = 12, no.seed = gdmft_test::seed(53);
        const Network net(p, no);
        AdjointWindow w;
        w.horizon = 1.0, w.profile_spacing = 0.05;
        const NetworkGradient g = network_gradient(net, Eigen::VectorXd::Zero(12), normals(12, 2, 7), w);
        MESSAGE("termination: " << to_string(g.termination) << " at t_before_horizon "
                                << g.nonfinite_t_before_horizon.value_or(-1));
        CHECK(g.termination == BackpropTermination::AdjointNonFinite);
        REQUIRE(g.nonfinite_t_before_horizon.has_value());
        CHECK(*g.nonfinite_t_before_horizon == doctest::Approx(w.dt));
        CHECK(std::isfinite(g.log_a_h2(0, 0)));  // the horizon itself
        CHECK(std::isnan(g.log_a_h2(1, 0)));     // not reached
        CHECK(std::isnan(g.log_grad_norm_Jh(0)));
    }
    SUBCASE("an unstable forward step: the forward state becomes non-finite") {
        // RK4 at h sigma_z(0) / tau_h = 25 multiplies the linear part by P(-25) ~ 1.4e4 per step: the state
        // overflows after ~75 steps (t ~ 3.7), long before the horizon at 10.
        ModelParams p;
        p.g_h = 1.0, p.tau_h = 1e-3;
        NetworkOptions no;
        no.N = 12, no.seed = gdmft_test::seed(54);
        const Network net(p, no);
        AdjointWindow w;
        w.horizon = 10.0, w.profile_spacing = 1.0;
        const NetworkGradient g = network_gradient(net, net.initial_state(0), normals(12, 2, 7), w);
        MESSAGE("termination: " << to_string(g.termination) << " at t_before_horizon "
                                << g.nonfinite_t_before_horizon.value_or(-1));
        CHECK(g.termination == BackpropTermination::ForwardNonFinite);
        REQUIRE(g.nonfinite_t_before_horizon.has_value());
        CHECK(*g.nonfinite_t_before_horizon > 5.0);
        CHECK(*g.nonfinite_t_before_horizon < 7.0);
        CHECK(g.log_a_h2.array().isNaN().all());
    }
}

TEST_CASE("stable zero fixed point: the adjoint is the transposed RK4 polynomial of the Jacobian") {
    // At x = 0 with no input, alpha = 0: F(x) = s(-x + sr0 Jh phi(x)), s = sigma_z(0)/tau_h, so the
    // RK4 step is x' = P(hA) x with A = s(-I + sr0 Jh) and P(z) = 1 + z + z^2/2 + z^3/6 + z^4/24, and
    // the exact discrete adjoint is a(t0) = (P(hA)^T)^n w. Reference built here with Eigen dense
    // products; the continuous adjoint exp(A^T T) w differs by the RK4 error (~(hs)^4 T).
    ModelParams p;
    p.g_h = 1.6, p.beta_z = 0.5;  // g_eff = 0.8, sigma_z(0) = 0.378
    const std::size_t N = 40;
    NetworkOptions no;
    no.N = N, no.seed = gdmft_test::seed(61);
    const Network net(p, no);
    const Eigen::Index n = static_cast<Eigen::Index>(N);
    const Eigen::MatrixXd W = normals(n, 2, gdmft_test::seed(62));
    AdjointWindow win;
    win.horizon = 4.0, win.dt = 0.05, win.profile_spacing = 1.0, win.keep_gradients = true;
    const NetworkGradient g = network_gradient(net, Eigen::VectorXd::Zero(n), W, win);
    const double s = p.gate_z().at_zero() / p.tau_h, sr0 = p.gate_r().at_zero(), h = win.dt;
    const Eigen::MatrixXd A = s * (-Eigen::MatrixXd::Identity(n, n) + sr0 * Eigen::MatrixXd(net.Jh().values()));
    const Eigen::MatrixXd Z = h * A, I = Eigen::MatrixXd::Identity(n, n);
    const Eigen::MatrixXd P = I + Z + Z * Z / 2 + Z * Z * Z / 6 + Z * Z * Z * Z / 24;
    Eigen::MatrixXd ref = W;
    for (std::size_t k = 0; k < win.steps(); ++k) ref = P.transpose() * ref;
    const double e_poly = (g.dL_dx0 - ref).norm() / ref.norm();
    const Eigen::MatrixXd expo = (A.transpose() * win.horizon).exp() * W;
    const double e_exp = (g.dL_dx0 - expo).norm() / expo.norm();
    MESSAGE("relative difference to (P(hA)^T)^n w: " << e_poly << ", to exp(A^T T) w: " << e_exp);
    CHECK(e_poly < 1e-13);
    CHECK(e_exp < 1e-6);
    // phi(0) = 0: the couplings receive no gradient at the fixed point.
    CHECK(g.dL_dJh[0].cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("stable zero fixed point: |a_h|^2/N follows exp(-2 s t) I_0(2 g_eff s t) (THEORY.md 7)") {
    // Large-N law for A = s(-I + g_eff J~), J~ iid N(0, 1/N): E|exp(A^T t) w|^2/N = exp(-2st) I_0(2 g st).
    // N = 300, 12 networks x 4 readouts, t_before_horizon = 0..5; the RK4 error is ~1e-8 and the finite-N
    // bias O(1/N) is below the network-to-network spread (the edge of the spectrum), which dominates.
    // Calibration: see the comment at the bound.
    ModelParams p;
    p.g_h = 1.8, p.beta_z = 0.0;  // g_eff = 0.9, s = 0.5
    const std::size_t N = 300;
    const double s = 0.5, geff = 0.9;
    AdjointWindow win;
    win.horizon = 5.0, win.dt = 0.05, win.profile_spacing = 1.0;
    std::vector<NetworkGradient> nets;
    for (int k = 0; k < 12; ++k) {
        NetworkOptions no;
        no.N = N, no.seed = gdmft_test::seed(70 + k);
        const Network net(p, no);
        nets.push_back(network_gradient(net, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(N)),
                                        normals(static_cast<Eigen::Index>(N), 4, gdmft_test::seed(100 + k)), win));
    }
    const BackpropResult r = summarize_gradients(nets);
    for (const auto& pt : r.profile) {
        const double t = pt.t_before_horizon, theory = std::exp(-2 * s * t) * std::cyl_bessel_i(0.0, 2 * geff * s * t);
        const double dev = *pt.a_h2.value() / theory - 1;
        MESSAGE("t_before_horizon " << t << ": mean a_h2 " << *pt.a_h2.value() << " +- " << *pt.a_h2.stderr_()
                                    << ", theory " << theory << ", relative deviation " << dev);
        CHECK(std::abs(dev) < kI0Bound[std::lround(t)]);
    }
}

TEST_CASE("fixed_point_start: Newton lands every state row of the network on its fixed point") {
    // A spread clock (alpha_z = 15), a dynamic output gate and a quenched input: a stable fixed point that
    // relaxation reaches only slowly. The check is the network's own right-hand side, evaluated independently
    // of the Newton residual (it includes the gate rows z = Jz phi(h), r = Jr phi(h)).
    gdmft::ModelParams p;
    p.g_h = 1.5, p.alpha_r = 2, p.tau_r = 0.5, p.input_std = 0.5, p.alpha_z = 15;
    gdmft::sim::NetworkOptions no;
    no.N = 60;
    no.seed = 11;
    const gdmft::sim::Network net(p, no);
    const auto s = gdmft::sim::fixed_point_start(net, no.seed, net.initial_state(0));
    CHECK(s.residual < 1e-10);
    CHECK(s.rhs_norm < 1e-9);
    CHECK(s.x.size() == static_cast<Eigen::Index>(net.dim()));
}
