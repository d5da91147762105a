// The ageing measurement (dmft/aging_curves, validation/aging, the transient DMFT's waiting-time output)
// against an exact answer: with g_h = 0 and alpha_z = 0 every unit (every path) decays on its own,
// tau_h dh/dt = -s0 h with s0 = sigma_z(0), so from the random start h_i(t) = h_i(0) e^{-s0 t / tau_h} and
//     C_h(t_w + tau, t_w) = C_h(0, 0) e^{-s0 (2 t_w + tau) / tau_h},   C_h(t, t) = C_h(0, 0) e^{-2 s0 t / tau_h},
// with C_h(0, 0) the sample variance of the start (reported as the equal-time curve at t = 0). Every
// unit shrinks by the same factor, so h(t) stays proportional to h(0): the normalised correlation is 1
// at every t_w and tau (which checks that C_h(t_w, t_w) and C_h(t_w + tau, t_w + tau) are read at the
// right times).
#include "dmft/aging_curves.hpp"
#include "dmft/transient_dmft.hpp"
#include "numerics/errors.hpp"
#include "validation/aging.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>

using namespace gdmft;

namespace {

ModelParams decaying() {
    ModelParams p;
    p.g_h = 0;
    p.alpha_z = 0;
    p.beta_z = 0.5;  // s0 = 1 / (1 + e^0.5)
    p.tau_h = 2;
    return p;
}

// Checks every curve of r against the closed form (relative tolerance tol).
void check_closed_form(const AgingResult& r, const ModelParams& p, double tol) {
    const double s0 = p.gate_z().at_zero(), rate = s0 / p.tau_h;
    REQUIRE(!r.t.empty());
    REQUIRE(r.t[0] == 0.0);
    const double c00 = r.C_h_tt[0];
    CHECK(c00 == doctest::Approx(1.0).epsilon(0.5));  // sample variance of N(0, 1)
    for (std::size_t i = 0; i < r.t.size(); ++i)
        CHECK(r.C_h_tt[i] == doctest::Approx(c00 * std::exp(-2 * rate * r.t[i])).epsilon(tol));
    for (const AgingCurve& c : r.curves)
        for (std::size_t l = 0; l < r.lags.size(); ++l) {
            CAPTURE(c.t_w);
            CAPTURE(r.lags[l]);
            CHECK(c.C_h[l] == doctest::Approx(c00 * std::exp(-rate * (2 * c.t_w + r.lags[l]))).epsilon(tol));
            CHECK(c.C_h_norm[l] == doctest::Approx(1.0).epsilon(tol));
            CHECK(c.C_h_norm_err[l] < tol);  // the same number in every sample
        }
    for (std::size_t l = 0; l < r.lags.size(); ++l) CHECK(std::abs(r.norm_shift[l]) < tol);
}

}  // namespace

TEST_CASE("log_step_grid: 0, then log-spaced multiples of the step, sorted and unique") {
    const auto g = log_step_grid(0.1, 100, 10, 0.05);
    REQUIRE(g.size() == 11u);
    CHECK(g.front() == 0.0);
    CHECK(g[1] == doctest::Approx(0.1));
    CHECK(g.back() == doctest::Approx(100));
    for (std::size_t i = 1; i < g.size(); ++i) {
        CHECK(g[i] > g[i - 1]);
        CHECK(std::abs(g[i] / 0.05 - std::round(g[i] / 0.05)) < 1e-9);
    }
    // Lags finer than the step collapse onto it: no duplicates.
    const auto c = log_step_grid(0.01, 1, 20, 0.2);
    CHECK(c.front() == 0.0);
    CHECK(c[1] == doctest::Approx(0.2));
    for (std::size_t i = 1; i < c.size(); ++i) CHECK(c[i] > c[i - 1]);
}

TEST_CASE("finite N at g_h = 0: C_h(t_w + tau, t_w) = C_h(0,0) exp(-s0 (2 t_w + tau) / tau_h) (exact)") {
    const ModelParams p = decaying();
    sim::AgingOptions o;
    o.N = 60;
    o.networks = 3;
    o.trajectories = 2;
    o.seed = 5;
    o.grid.waiting_times = {0, 1, 3.5};
    o.grid.max_lag = 6;
    o.grid.lags = 8;
    o.integrator.dt = 0.05;
    const AgingResult r = sim::measure_aging(p, o);
    CHECK(r.N == 60u);
    CHECK(r.networks == 3);
    CHECK(r.samples == 3);
    CHECK(r.samples_over == "networks");
    REQUIRE(r.curves.size() == 3u);
    CHECK(r.curves[2].t_w == doctest::Approx(3.5));
    CHECK(r.lags.front() == 0.0);
    CHECK(r.lags.back() == doctest::Approx(6));
    CHECK(r.t.back() == doctest::Approx(9.5));
    check_closed_form(r, p, 1e-7);  // RK4 at dt s0 / tau_h ~ 0.01: ~1e-10 per unit time
    // Different networks start from different states: the errors of C_h itself are not zero.
    CHECK(r.curves[0].C_h_err[0] > 0);

    // One network: errors over its trajectories; the same seed gives the same numbers.
    o.networks = 1;
    const AgingResult a = sim::measure_aging(p, o), b = sim::measure_aging(p, o);
    CHECK(a.samples_over == "trajectories");
    CHECK(a.samples == 2);
    CHECK(a.curves[1].C_h == b.curves[1].C_h);
    CHECK(a.C_h_tt == b.C_h_tt);
}

TEST_CASE("the transient DMFT from the network start at g_h = 0: the same closed form (exact step)") {
    const ModelParams p = decaying();
    TransientOptions o;
    o.start = TransientStart::Network;
    o.reference = false;
    o.grid.dt = 0.2;
    o.grid.t_burn = 2;
    o.grid.t_before = 0;
    o.grid.horizon = 10;
    o.paths = 200;
    o.random_sets = 3;
    o.aging.waiting_times = {0, 2, 4};
    o.aging.lags = 10;
    const TransientResult r = solve_transient(p, GateDrive{}, o, nullptr);
    CHECK(r.converged);
    const AgingResult& a = r.aging;
    REQUIRE(a.curves.size() == 3u);
    CHECK(a.N == 0u);
    CHECK(a.networks == 3);
    CHECK(a.samples_over == "random sets");
    CHECK(a.lags.back() == doctest::Approx(8));  // to the end of the grid at t = 12
    check_closed_form(a, p, 1e-10);

    // max_lag within the grid.
    o.aging.max_lag = 5;
    const TransientResult s = solve_transient(p, GateDrive{}, o, nullptr);
    CHECK(s.aging.lags.back() == doctest::Approx(5));
    check_closed_form(s.aging, p, 1e-10);
}

TEST_CASE("bad ageing options name the option") {
    const ModelParams p = decaying();
    sim::AgingOptions good;
    good.N = 10;
    good.networks = 1;
    good.grid.waiting_times = {1, 2};
    good.grid.max_lag = 2;
    auto name_of = [&](const std::function<void(sim::AgingOptions&)>& change) {
        sim::AgingOptions o = good;
        change(o);
        try {
            sim::measure_aging(p, o);
        } catch (const BadInput& e) {
            return e.name;
        }
        return std::string("(none)");
    };
    CHECK(name_of([](sim::AgingOptions&) {}) == "(none)");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times.clear(); }) == "waiting_times");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times = {3, 1}; }) == "waiting_times");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times = {1, 1}; }) == "waiting_times");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times = {-1, 1}; }) == "waiting_times");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times = {1, NAN}; }) == "waiting_times");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times = {1, 1.01}; }) == "waiting_times");  // one step
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.max_lag = 0; }) == "max_lag");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.waiting_times = {0}; o.grid.max_lag = -1; }) == "max_lag");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.min_lag = 0; }) == "aging_min_lag");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.min_lag = 5; }) == "aging_min_lag");
    CHECK(name_of([](sim::AgingOptions& o) { o.grid.lags = 0; }) == "aging_lags");
    CHECK(name_of([](sim::AgingOptions& o) { o.N = 1; }) == "N");
    CHECK(name_of([](sim::AgingOptions& o) { o.networks = 0; }) == "networks");
    CHECK(name_of([](sim::AgingOptions& o) { o.trajectories = 0; }) == "trajectories");
    CHECK(name_of([](sim::AgingOptions& o) { o.integrator.dt = 0; }) == "dt");

    // The DMFT: waiting times need the network start and must fit on the grid.
    TransientOptions t;
    t.start = TransientStart::Network;
    t.reference = false;
    t.grid.t_burn = 2;
    t.grid.t_before = 0;
    t.grid.horizon = 10;
    t.aging.waiting_times = {1, 4};
    auto t_name = [&](const std::function<void(TransientOptions&)>& change) {
        TransientOptions o = t;
        change(o);
        try {
            o.validate();
        } catch (const BadInput& e) {
            return e.name;
        }
        return std::string("(none)");
    };
    CHECK(t_name([](TransientOptions&) {}) == "(none)");
    CHECK(t_name([](TransientOptions& o) { o.start = TransientStart::Stationary; }) == "waiting_times");
    CHECK(t_name([](TransientOptions& o) { o.aging.waiting_times = {1, 12}; }) == "waiting_times");
    CHECK(t_name([](TransientOptions& o) { o.aging.waiting_times = {4, 1}; }) == "waiting_times");
    CHECK(t_name([](TransientOptions& o) { o.aging.max_lag = 9; }) == "max_lag");
    CHECK(t_name([](TransientOptions& o) { o.aging.max_lag = 8; }) == "(none)");
    CHECK(t_name([](TransientOptions& o) { o.aging.lags = 0; }) == "aging_lags");
}
