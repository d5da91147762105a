// fit_tail_form (numerics/tail_form.hpp) on synthetic correlation functions whose tail is known in closed
// form: exact and noisy exponentials and power laws, two exponentials, a stretched exponential, a
// correlation that has not decayed in its window, and bad input. Every reference number below is
// computed here from the closed form, never taken from a run of the code.
#include "numerics/errors.hpp"
#include "numerics/tail_form.hpp"
#include "tests/test_seed.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

struct Series {
    std::vector<double> tau, C;
};

// C(tau) = plateau + D(tau) on the grid 0, dt, ..., (n - 1) dt, plus Gaussian noise of sd `noise`.
Series sample(const std::function<double(double)>& D, double plateau, double dt, int n, double noise = 0,
              std::uint64_t seed = 0) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n01(0.0, 1.0);
    Series s;
    for (int k = 0; k < n; ++k) {
        const double t = dt * k;
        s.tau.push_back(t);
        s.C.push_back(plateau + D(t) + (noise > 0 ? noise * n01(rng) : 0.0));
    }
    return s;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("tail_form: an exact exponential gives its time to the stated error") {
    const double T = 7, A = 1.5, q = 0.2, dt = 0.1;
    const Series s = sample([&](double t) { return A * std::exp(-t / T); }, q, dt, 2001);
    // With a deterministic floor of 1e-6 A (as for the Gaussian closure) and with no errors (residuals).
    for (bool with_err : {true, false}) {
        CAPTURE(with_err);
        const std::vector<double> err = with_err ? std::vector<double>(s.tau.size(), 1e-6 * A) : std::vector<double>{};
        const TailForm t = fit_tail_form(s.tau, s.C, q, err);
        CHECK(t.form == "exponential");
        CHECK(t.decayed);
        CHECK(std::isnan(t.tau_corr_lower_bound));
        // Range: D/D(0) from 0.3 (tau = T ln(1/0.3) = 8.43) to 1e-3 (T ln 1000 = 48.35), to a grid step.
        CHECK(t.fit_from == doctest::Approx(T * std::log(1 / 0.3)).epsilon(dt / 8.43));
        CHECK(t.fit_to == doctest::Approx(T * std::log(1000.0)).epsilon(dt / 48.35));
        CHECK(t.fit_points >= 30);
        CHECK(std::abs(t.exp_time - T) <= 4.5 * t.exp_time_err + 1e-12 * T);
        CHECK(t.exp_time_err < 1e-4 * T);
        CHECK(t.chi2_exp < 1.01);
        CHECK(t.level_at_end == doctest::Approx(std::exp(-200.0 / T)).epsilon(1e-6));
        CHECK(contains(t.evidence, "straight in tau"));
        CHECK(t.errors_from == (with_err ? "per-lag errors" : "fit residuals"));
        CHECK(tail_summary(t).rfind("exponential, time 7 +- ", 0) == 0);
        CHECK(contains(tail_summary(t), "(lags 8.5-48.3)"));
    }
}

TEST_CASE("tail_form: an exact power law gives its exponent to the stated error") {
    // D = 1 up to t0, then (tau/t0)^-beta: a pure power law below D = 0.3 D(0).
    const double beta = 1.3, t0 = 2, dt = 0.1;
    const Series s = sample([&](double t) { return std::min(1.0, std::pow(t / t0, -beta)); }, 0.0, dt, 20001);
    for (bool with_err : {true, false}) {
        CAPTURE(with_err);
        const std::vector<double> err = with_err ? std::vector<double>(s.tau.size(), 1e-6) : std::vector<double>{};
        const TailForm t = fit_tail_form(s.tau, s.C, 0.0, err);
        CHECK(t.form == "power_law");
        CHECK(t.decayed);
        // Range: tau = t0 0.3^(-1/beta) = 5.05 to t0 1000^(1/beta) = 406.2.
        CHECK(t.fit_from == doctest::Approx(t0 * std::pow(0.3, -1 / beta)).epsilon(dt / 5.05));
        CHECK(t.fit_to == doctest::Approx(t0 * std::pow(1000.0, 1 / beta)).epsilon(dt / 406.2));
        CHECK(std::abs(t.power_exponent - beta) <= 4.5 * t.power_exponent_err + 1e-12);
        CHECK(t.power_exponent_err < 1e-4);
        CHECK(t.chi2_power < 1.01);
        CHECK(contains(t.evidence, "straight in ln tau"));
    }
}

TEST_CASE("tail_form: noisy exponentials and power laws, the truth within 4.5 reported errors") {
    // Independent Gaussian noise of sd 2e-3 on every lag (0.1% of D(0) = 2), 10 seeds per case, with the
    // true sd given as C_err and without errors (sd estimated from the fit residuals). The exponential's
    // floor (3 sd = 0.3% of D(0)) ends the fit near tau = 6 ln(2 / 6e-3) = 35; the power law's near
    // 3 (2 / 6e-3)^(1/1.2) = 378.
    // Calibration, pull = (fit - truth) / reported error, over GDMFT_TEST_SEED_OFFSET 0-20 (210 seeds per
    // case; every run passed):
    //   exponential, C_err given: mean -0.06, sd 1.05, largest |pull| 4.34 (seed 3105; next 2.98)
    //   exponential, residuals:   mean -0.08, sd 1.05, largest |pull| 3.77
    //   power law,   C_err given: mean +0.15, sd 0.95, largest |pull| 3.67
    //   power law,   residuals:   mean +0.19, sd 0.95, largest |pull| 3.42
    // and over larger samples of the same series outside the test (seeds 1..N of std::mt19937_64):
    // exponential 200000 seeds, C_err: sd 0.97, |pull| > 4 in 8, > 4.5 in none; residuals: sd 0.96, > 4
    // in none; power law 50000 seeds, C_err: mean +0.09, sd 0.97, > 4 in 2, > 4.5 in none; residuals:
    // sd 0.96, > 4 in 1. In the test runs every fit chose the right form; |drift_sigmas| > 3 in 2 of 840.
    // Relative errors are about 0.3% (time and exponent). The tolerance 4.5 sd: no fit beyond it in
    // 500000; a normal pull would exceed it at 7e-6.
    const double sd = 2e-3, q = 0.5, A = 2;
    const double T = 6, beta = 1.2, t0 = 3;
    for (std::uint64_t i = 0; i < 10; ++i) {
        for (bool with_err : {true, false}) {
            CAPTURE(i);
            CAPTURE(with_err);
            const Series e = sample([&](double t) { return A * std::exp(-t / T); }, q, 0.1, 1001, sd,
                                    gdmft_test::seed(100 + i));
            const Series p = sample([&](double t) { return A * std::min(1.0, std::pow(t / t0, -beta)); }, q, 0.5,
                                    4001, sd, gdmft_test::seed(200 + i));
            const std::vector<double> ee = with_err ? std::vector<double>(e.tau.size(), sd) : std::vector<double>{};
            const std::vector<double> pe = with_err ? std::vector<double>(p.tau.size(), sd) : std::vector<double>{};
            const TailForm te = fit_tail_form(e.tau, e.C, q, ee);
            const TailForm tp = fit_tail_form(p.tau, p.C, q, pe);
            const std::string how = with_err ? " C_err" : " residuals";
            MESSAGE("seed " << gdmft_test::seed(100 + i) << how << ": exp pull "
                            << (te.exp_time - T) / te.exp_time_err << ", power pull "
                            << (tp.power_exponent - beta) / tp.power_exponent_err << ", drifts " << te.drift_sigmas
                            << " " << tp.drift_sigmas);
            CHECK(te.form == "exponential");
            CHECK(std::abs(te.exp_time - T) < 4.5 * te.exp_time_err);
            CHECK(te.exp_time_err < 0.02 * T);
            CHECK(tp.form == "power_law");
            CHECK(std::abs(tp.power_exponent - beta) < 4.5 * tp.power_exponent_err);
            CHECK(tp.power_exponent_err < 0.02 * beta);
        }
    }
}

TEST_CASE("tail_form: two exponentials") {
    // D = a exp(-tau/T1) + (1 - a) exp(-tau/T2); its local e-folding time D / (-dD/dtau) grows from
    // about T1 to T2, its local power-law exponent -dlnD/dlntau = tau / (local e-folding time).
    auto D = [](double a, double T1, double T2) {
        return [=](double t) { return a * std::exp(-t / T1) + (1 - a) * std::exp(-t / T2); };
    };
    auto efold = [](double a, double T1, double T2, double t) {
        const double d = a * std::exp(-t / T1) + (1 - a) * std::exp(-t / T2);
        return d / (a / T1 * std::exp(-t / T1) + (1 - a) / T2 * std::exp(-t / T2));
    };
    SUBCASE("the slow one dominates the range: exponential, between the local times, bending towards T2") {
        // 0.5 e^{-t/2} + 0.5 e^{-t/10}: D = 0.3 at tau ~ 6, where the fast part is 8% of D. With the
        // closure's deterministic floor (1e-6) the fit runs to D = 1e-3 at tau ~ 62.
        const Series s = sample(D(0.5, 2, 10), 0, 0.05, 3001);
        const TailForm t = fit_tail_form(s.tau, s.C, 0, std::vector<double>(s.tau.size(), 1e-6));
        CHECK(t.form == "exponential");
        CHECK(t.exp_time > efold(0.5, 2, 10, t.fit_from));
        CHECK(t.exp_time < efold(0.5, 2, 10, t.fit_to));
        CHECK(t.exp_time < 10);
        // The e-folding time grows along the range (closed form above): a heavier tail further out. The
        // late half's decay rate over the early half's is below 1 and above the ratio of the local rates
        // at the ends of the range, efold(fit_from) / efold(fit_to).
        CHECK(t.drift_sigmas < -3);
        CHECK(t.drift_ratio < 1);
        CHECK(t.drift_ratio > efold(0.5, 2, 10, t.fit_from) / efold(0.5, 2, 10, t.fit_to));
        CHECK(contains(t.evidence, "heavier than one exponential further out"));
        CHECK(contains(t.evidence, "neither form fits within the errors"));
    }
    SUBCASE("a crossover inside the range looks like a power law, and the drift says it is not one") {
        // 0.8 e^{-t} + 0.2 e^{-t/10}: D = 0.3 at tau ~ 1.8, where both parts are comparable, and the fast
        // part has gone by tau ~ 5: over a decade in lag the crossover is straighter in ln tau than in
        // tau, so the power law wins the chi2 (no per-lag errors: residual scatter). A power law's local
        // exponent is constant; here it grows over the late part (closed form below), so the drift must
        // flag "lighter than a power law further out".
        const Series s = sample(D(0.8, 1, 10), 0, 0.05, 3001);
        const TailForm t = fit_tail_form(s.tau, s.C, 0, {});
        CHECK(t.form == "power_law");
        // The local exponent tau / efold is not monotonic here (0.90 at tau = 1.8, 0.69 at 5, 2.3 at 23):
        // the fitted one lies within its range over the fit.
        double lo = 1e300, hi = 0;
        for (double x = t.fit_from; x <= t.fit_to; x += 0.01) {
            lo = std::min(lo, x / efold(0.8, 1, 10, x));
            hi = std::max(hi, x / efold(0.8, 1, 10, x));
        }
        CHECK(t.power_exponent > lo);
        CHECK(t.power_exponent < hi);
        CHECK(t.drift_sigmas > 3);
        CHECK(t.drift_ratio > 1.05);
        CHECK(contains(t.evidence, "lighter than a power law further out"));
        CHECK(contains(tail_summary(t), "steepens further out"));
    }
}

TEST_CASE("tail_form: a stretched exponential is the better of two bent lines, and the drift shows the bend") {
    // D = exp(-sqrt(tau/t0)). The local e-folding time is 2 sqrt(tau t0) and the local power-law exponent
    // sqrt(tau/t0)/2: over the range both change by the same factor sqrt(fit_to/fit_from), so neither
    // straight line is right and the pick carries no physics. With the deterministic floor 1e-6 the fit
    // runs from D = 0.3 (tau = t0 ln^2(1/0.3) = 2.90) to D = 1e-3 (tau = t0 ln^2 1000 = 95.4), and the
    // weights D^2 / err^2 put most weight on the early lags; there the method finds ln D straighter in
    // tau than in ln tau (it reports chi2/dof 5.8e7 against 2.2e8, a rescaled difference of 108, well
    // above 25), so it says "exponential": the label below pins what the method says, it is not a
    // closed-form reference. What marks the tail as not exponential: chi2/dof far above 1 with per-lag
    // errors ("neither form fits") and the drift: the e-folding time grows along the range, so the late
    // half's exponential is slower (drift < -3, "heavier than one exponential further out").
    const double t0 = 2;
    const Series s = sample([&](double t) { return std::exp(-std::sqrt(t / t0)); }, 0, 0.05, 40001);
    const TailForm t = fit_tail_form(s.tau, s.C, 0, std::vector<double>(s.tau.size(), 1e-6));
    CHECK(t.form == "exponential");
    CHECK(t.fit_from == doctest::Approx(t0 * std::pow(std::log(1 / 0.3), 2)).epsilon(0.05 / 2.9));
    CHECK(t.fit_to == doctest::Approx(t0 * std::pow(std::log(1000.0), 2)).epsilon(0.05 / 95.4));
    CHECK(t.chi2_exp > 1e3);
    CHECK(contains(t.evidence, "neither form fits within the errors"));
    CHECK(t.drift_sigmas < -3);
    CHECK(t.drift_ratio < 0.95);
    CHECK(contains(t.evidence, "heavier than one exponential further out"));
    // The fitted time and exponent lie between their local values at the ends of the range.
    CHECK(t.exp_time > 2 * std::sqrt(t.fit_from * t0));
    CHECK(t.exp_time < 2 * std::sqrt(t.fit_to * t0));
    CHECK(t.power_exponent > 0.5 * std::sqrt(t.fit_from / t0));
    CHECK(t.power_exponent < 0.5 * std::sqrt(t.fit_to / t0));
}

TEST_CASE("tail_form: a correlation that has not decayed gives the window end as a lower bound") {
    // exp(-tau/70) over a window of 19.9: D/D(0) = exp(-19.9/70) = 0.753 at the end.
    const Series s = sample([](double t) { return std::exp(-t / 70); }, 0.1, 0.1, 200);
    const TailForm t = fit_tail_form(s.tau, s.C, 0.1, {});
    CHECK_FALSE(t.decayed);
    CHECK(t.tau_corr_lower_bound == doctest::Approx(19.9));
    CHECK(t.level_at_end == doctest::Approx(std::exp(-19.9 / 70)).epsilon(1e-9));
    CHECK(t.form == "unresolved");
    CHECK(std::isnan(t.exp_time));
    CHECK(contains(t.evidence, "tau_corr > 19.9"));
    CHECK(tail_summary(t).rfind("unresolved: D stays above D(0)/e", 0) == 0);
}

TEST_CASE("tail_form: too short a tail is unresolved; under half a decade the evidence says so") {
    // exp(-tau) on [0, 2.3]: D/D(0) = 0.3 at tau = 1.20, the window ends at 2.3 (factor 1.9 < 3).
    const Series a = sample([](double t) { return std::exp(-t); }, 0, 0.01, 231);
    const TailForm ta = fit_tail_form(a.tau, a.C, 0, {});
    CHECK(ta.decayed);
    CHECK(ta.form == "unresolved");
    CHECK(contains(ta.evidence, "too short a tail"));
    // Errors of 0.2 D(0): the floor 3 x 0.2 D(0) is above D = 0.3 D(0), where the tail would start.
    const TailForm tn = fit_tail_form(a.tau, a.C, 0, std::vector<double>(a.tau.size(), 0.2));
    CHECK(tn.form == "unresolved");
    CHECK(tn.fit_points == 0);
    CHECK(contains(tn.evidence, "D is at the floor"));
    // On [0, 3.7]: factor 3.7 / 1.204 = 3.07, resolved but under half a decade (3.16).
    const Series b = sample([](double t) { return std::exp(-t); }, 0, 0.01, 371);
    const TailForm tb = fit_tail_form(b.tau, b.C, 0, std::vector<double>(b.tau.size(), 1e-6));
    CHECK(tb.form != "unresolved");
    CHECK(tb.exp_time == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(contains(tb.evidence, "half a decade"));
    // No connected fluctuation (a fixed point: C = plateau): unresolved, nothing decays, no bound.
    const Series c = sample([](double) { return 0.0; }, 0.4, 0.1, 100);
    const TailForm tc = fit_tail_form(c.tau, c.C, 0.4, {});
    CHECK(tc.form == "unresolved");
    CHECK_FALSE(tc.decayed);
    CHECK(std::isnan(tc.tau_corr_lower_bound));
    CHECK(contains(tc.evidence, "no connected fluctuation"));
}

TEST_CASE("tail_form: bad input throws BadInput naming the argument") {
    const Series s = sample([](double t) { return std::exp(-t); }, 0, 0.1, 100);
    auto name_of = [](auto&& call) {
        try {
            call();
        } catch (const BadInput& e) {
            return e.name;
        }
        return std::string("no throw");
    };
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    std::vector<double> short_C(s.C.begin(), s.C.end() - 1), bad_C = s.C, bad_tau = s.tau, flat_tau = s.tau;
    bad_C[5] = nan;
    bad_tau[7] = inf;
    flat_tau[3] = flat_tau[2];
    CHECK(name_of([&] { fit_tail_form(s.tau, short_C, 0, {}); }) == "C");
    CHECK(name_of([&] { fit_tail_form({}, {}, 0, {}); }) == "tau");
    CHECK(name_of([&] { fit_tail_form(s.tau, bad_C, 0, {}); }) == "C");
    CHECK(name_of([&] { fit_tail_form(bad_tau, s.C, 0, {}); }) == "tau");
    CHECK(name_of([&] { fit_tail_form(flat_tau, s.C, 0, {}); }) == "tau");
    CHECK(name_of([&] { fit_tail_form(s.tau, s.C, nan, {}); }) == "plateau");
    CHECK(name_of([&] { fit_tail_form(s.tau, s.C, 0, std::vector<double>(3, 1e-3)); }) == "C_err");
    CHECK(name_of([&] { fit_tail_form(s.tau, s.C, 0, std::vector<double>(s.tau.size(), -1.0)); }) == "C_err");
    CHECK(name_of([&] { fit_tail_form(s.tau, s.C, 0, std::vector<double>(s.tau.size(), inf)); }) == "C_err");
    TailFormOptions o;
    o.points = 3;
    CHECK(name_of([&] { fit_tail_form(s.tau, s.C, 0, {}, o); }) == "tail.points");
    o = {};
    o.min_level = 0.5;
    CHECK(name_of([&] { fit_tail_form(s.tau, s.C, 0, {}, o); }) == "tail.min_level");
}
