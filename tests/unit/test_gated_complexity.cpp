// Gated annealed complexity (alpha_r != 0): dmft/k_spectrum.*, dmft/gated_complexity.*, the gated scan.
// Reference values: closed forms of the hermitization's limits (b = 0: diagonal K; a = 0, b = c = 1: the square
// Marchenko-Pastur law), direct SVDs, determinants and eigenvalues of sampled K and Jh K (independent methods),
// finite differences of the objective, and the SCS limit alpha_r -> 0 (dmft/complexity's separate solver).
#include "dmft/complexity.hpp"
#include "dmft/complexity_scan.hpp"
#include "dmft/gated_complexity.hpp"
#include "dmft/k_spectrum.hpp"
#include "validation/random.hpp"

#include <Eigen/Dense>
#include <doctest/doctest.h>

#include <cmath>

using namespace gdmft;

namespace {

// A sampled K = A + B Jr C (N x N) and its law: x ~ N(0, 1.44), r ~ N(0, 0.8), alpha_r = 4, beta_r = 0.3, tanh.
struct SampledK {
    Eigen::MatrixXd K;
    GateSiteLaw law;
};

SampledK sample_k(int N, double g_r, std::uint64_t seed, bool with_a = true) {
    sim::NormalStream rng(sim::derive_seed(seed, 0));
    const Gate gate{4.0, 0.3};
    SampledK s;
    Eigen::VectorXd a(N), b(N), c(N);
    for (int i = 0; i < N; ++i) {
        const double x = 1.2 * rng.normal(), r = std::sqrt(0.8) * rng.normal();
        const double ph = std::tanh(x), dph = 1 - ph * ph;
        a(i) = with_a ? gate(r) * dph : 0.0;
        b(i) = gate.deriv(r) * ph;
        c(i) = dph;
        s.law.a2.push_back(a(i) * a(i));
        s.law.b2.push_back(b(i) * b(i));
        s.law.c2.push_back(c(i) * c(i));
        s.law.w.push_back(1.0 / N);
    }
    Eigen::MatrixXd J(N, N);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) J(i, j) = g_r / std::sqrt(double(N)) * rng.normal();
    s.K = b.asDiagonal() * J * c.asDiagonal();
    s.K.diagonal() += a;
    return s;
}

double direct_log_det(const Eigen::MatrixXd& K, double t) {
    const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(K * K.transpose(), Eigen::EigenvaluesOnly).eigenvalues();
    double acc = 0;
    for (Eigen::Index i = 0; i < ev.size(); ++i) acc += std::log1p(t * std::max(0.0, ev(i)));
    return acc / ev.size();
}

}  // namespace

TEST_CASE("K's hermitization: closed-form limits (diagonal K; square Marchenko-Pastur)") {
    // b = 0: K = A, <ln(1 + t a^2)> exactly.
    GateSiteLaw diag{{0.2, 0.9, 0.5}, {0, 0, 0}, {0.3, 1.0, 0.7}, {0.2, 0.5, 0.3}};
    for (double t : {0.1, 2.0, 50.0}) {
        const KLogDet k = k_log_det(diag, 1.3, t);
        CHECK(k.converged);
        const double exact = 0.2 * std::log1p(0.2 * t) + 0.5 * std::log1p(0.9 * t) + 0.3 * std::log1p(0.5 * t);
        CHECK(k.f == doctest::Approx(exact).epsilon(1e-13));
        CHECK(k.slope == doctest::Approx(0.2 * 0.2 / (1 + 0.2 * t) + 0.5 * 0.9 / (1 + 0.9 * t) + 0.3 * 0.5 / (1 + 0.5 * t)).epsilon(1e-12));
    }
    // a = 0, b = c = 1: K = Jr, square Ginibre: p (1 + p) = t g^2, f = 2 ln(1 + p) - p / (1 + p)
    // (large t: ln(t g^2) - 1, the mean of ln s^2 of the square Marchenko-Pastur law).
    GateSiteLaw mp{{0.0}, {1.0}, {1.0}, {1.0}};
    const double g = 1.3;
    for (double t : {0.05, 1.0, 40.0}) {
        const double p = 0.5 * (-1 + std::sqrt(1 + 4 * t * g * g));
        const KLogDet k = k_log_det(mp, g, t);
        CHECK(k.f == doctest::Approx(2 * std::log1p(p) - p / (1 + p)).epsilon(1e-12));
    }
    CHECK(k_log_det(mp, g, 1e8).f - std::log(1e8 * g * g) == doctest::Approx(-1.0).epsilon(1e-3));
}

TEST_CASE("K's singular values against a direct SVD of sampled K = A + B Jr C (N = 1000)") {
    // The law is the sample's own (a, b, c): the only differences are finite-N, O(1/N) and fluctuations
    // O(1/N) (measured below 2e-3 here; allowance 0.01). The Marchenko-Pastur case (A = 0) tests the
    // Jr-part alone.
    const int N = 1000;
    for (bool with_a : {true, false}) {
        const SampledK s = sample_k(N, 1.3, with_a ? 5 : 6, with_a);
        for (double t : {0.3, 3.0, 30.0}) {
            const double direct = direct_log_det(s.K, t), theory = k_log_det(s.law, 1.3, t).f;
            MESSAGE("with A " << with_a << ", t " << t << ": direct " << direct << ", theory " << theory);
            CHECK(std::abs(direct - theory) < 0.01);
        }
        CHECK(s.law.mean_s2(1.3) == doctest::Approx((s.K * s.K.transpose()).trace() / N).epsilon(0.02));
    }
}

TEST_CASE("(1/N) ln|det(I - Jh K)| and the unstable fraction of Jh K against sampled matrices (N = 600)") {
    const int N = 600;
    const double g_r = 1.3, g_h = 4.0;
    const SampledK s = sample_k(N, g_r, 11);
    sim::NormalStream rng(sim::derive_seed(12, 0));
    Eigen::MatrixXd Jh(N, N);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) Jh(i, j) = g_h / std::sqrt(double(N)) * rng.normal();
    const Eigen::MatrixXd JK = Jh * s.K;
    Eigen::MatrixXd M = -JK;
    M.diagonal().array() += 1.0;
    const double direct = Eigen::PartialPivLU<Eigen::MatrixXd>(M).matrixLU().diagonal().array().abs().log().sum() / N;
    const double rate = jk_log_det_rate(s.law, g_r, g_h);
    MESSAGE("ln|det(I - Jh K)|/N: direct " << direct << ", theory " << rate);
    CHECK(rate > 0.05);
    CHECK(std::abs(direct - rate) < 0.02);  // as the SCS lemma's test: O(sqrt(ln N)/N) fluctuations, O(1/N) bias
    const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(JK, false).eigenvalues();
    int right = 0;
    for (Eigen::Index i = 0; i < ev.size(); ++i) right += ev(i).real() > 1;
    const double theory = jk_unstable_fraction(s.law, g_r, g_h, 64);
    MESSAGE("unstable fraction: direct " << double(right) / N << ", theory " << theory);
    CHECK(theory > 0.05);
    CHECK(std::abs(double(right) / N - theory) < 0.015);
    // The Simpson rule in theta: 32 panels (the default) within 1e-4 of 64.
    CHECK(std::abs(jk_unstable_fraction(s.law, g_r, g_h) - theory) < 1e-4);
}

TEST_CASE("gated objective: gradient and Hessian are the derivatives (central differences)") {
    ModelParams m;
    m.g_h = 3;
    m.alpha_r = 6;
    m.g_r = 1.2;
    m.beta_r = 0.4;
    const ComplexityOptions o;
    const GatedSaddle s{0.3, 0.08, 4.0, 1.1, 0.7, -0.1, -1.2};
    const GatedEvaluation e = gated_objective(m, s, o);
    REQUIRE(e.ok);
    const double h = 1e-5;
    for (int a = 0; a < 7; ++a) {
        GatedSaddle sp = s, sm = s;
        double* fp[] = {&sp.q, &sp.q_v, &sp.t, &sp.p, &sp.pp, &sp.m1, &sp.m2};
        double* fm[] = {&sm.q, &sm.q_v, &sm.t, &sm.p, &sm.pp, &sm.m1, &sm.m2};
        *fp[a] += h, *fm[a] -= h;
        const GatedEvaluation ep = gated_objective(m, sp, o), em = gated_objective(m, sm, o);
        CHECK(e.grad[a] == doctest::Approx((ep.S - em.S) / (2 * h)).epsilon(1e-6));
        for (int b = 0; b < 7; ++b) CHECK(e.H[b][a] == doctest::Approx((ep.grad[b] - em.grad[b]) / (2 * h)).epsilon(1e-5).scale(1));
    }
}

TEST_CASE("alpha_r -> 0: the gated saddle approaches the SCS solution at g_eff = g_h sigma_r(0) continuously") {
    ModelParams m;
    m.g_h = 4;  // beta_r = 0: g_eff = 2, SCS Sigma = 0.0248251 (docs/complexity.md section 4)
    const ComplexityResult scs = annealed_complexity(m);
    double diff[2];
    int k = 0;
    for (double a : {0.02, 0.01}) {
        m.alpha_r = a;
        const ComplexityResult r = annealed_complexity(m);
        REQUIRE(r.gated.has_value());
        diff[k++] = r.Sigma - scs.Sigma;
        CHECK(r.Sigma == doctest::Approx(scs.Sigma).epsilon(1e-3));
        CHECK(r.second_moment == doctest::Approx(scs.second_moment).epsilon(1e-3));
        CHECK(r.unstable_fraction.value() == doctest::Approx(scs.unstable_fraction.value()).epsilon(2e-3));
        CHECK(r.gated->q_v == doctest::Approx(0.25 * r.gated->q).epsilon(1e-3));
    }
    // The correction is even in alpha_r (alpha_r -> -alpha_r with r -> -r is a symmetry of the problem): O(alpha_r^2).
    MESSAGE("Sigma - Sigma_SCS at alpha_r = 0.02, 0.01: " << diff[0] << ", " << diff[1]);
    CHECK(diff[0] / diff[1] == doctest::Approx(4.0).epsilon(0.02));
}

TEST_CASE("alpha_r = 10: a converged interior saddle, quadrature-converged, consistent with the log-det lemma") {
    ModelParams m;
    m.alpha_r = 10;
    m.g_h = 3;
    const ComplexityResult r = annealed_complexity(m);
    REQUIRE(r.gated.has_value());
    CHECK(r.converged);
    CHECK(!r.trivial);
    CHECK(r.Sigma > 0.1);
    CHECK(std::isfinite(r.second_moment));
    // Tighter quadrature changes nothing beyond 1e-12.
    ComplexityOptions fine;
    fine.gated_quadrature_tol = 1e-15;
    const ComplexityResult rf = gated_complexity(m, fine, &*r.gated);
    CHECK(std::abs(rf.Sigma - r.Sigma) < 1e-12);
    // The saddle's t is the maximiser of the log-det lemma on the optimal law of (a, b, c), and its p, p'
    // the hermitization's at that t (two separate solvers).
    GateSiteLaw law;
    gated_objective(m, *r.gated, ComplexityOptions{}, false, &law);
    double t = 0;
    jk_log_det_rate(law, m.g_r, m.g_h, &t);
    CHECK(t == doctest::Approx(r.gated->t).epsilon(1e-8));
    const KLogDet k = k_log_det(law, m.g_r, r.gated->t);
    CHECK(k.p == doctest::Approx(r.gated->p).epsilon(1e-8));
    CHECK(k.pp == doctest::Approx(r.gated->pp).epsilon(1e-8));
}

TEST_CASE("alpha_r = 10: Sigma = 0 with the reason below the onset, never NaN; the scan's onset is S* = 0") {
    ModelParams m;
    m.alpha_r = 10;
    m.g_h = 1.5;
    const ComplexityResult below = annealed_complexity(m);
    CHECK(below.Sigma == 0.0);
    CHECK(below.trivial);
    CHECK(below.message.find("trivial") != std::string::npos);
    const ComplexityScan s = complexity_scan(m, parse_axis("scan", "g_h:1.4:2.2", false), 9);
    REQUIRE(s.onset.has_value());
    MESSAGE("onset " << *s.onset << " (" << s.onset_message << "), q there " << s.onset_q.value_or(-1));
    CHECK(*s.onset > 1.5);
    CHECK(*s.onset < 1.7);
    CHECK(s.onset_q.value_or(0) > 0.05);  // first order: q jumps from 0
    for (const auto& row : s.rows) {
        CHECK(std::isfinite(row.result.Sigma));
        CHECK((row.result.Sigma > 0) == (row.value > *s.onset));
    }
    m.g_h = *s.onset;
    const ComplexityResult at = annealed_complexity(m);
    CHECK(std::abs(at.branch_value.value_or(1)) < 1e-9);
}
