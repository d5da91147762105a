// The sampled solver's tail model and its anchors (dmft/tail_model.hpp), on exponentials, where every
// crossing and e-folding time is known in closed form.
#include "dmft/tail_model.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace gdmft;

namespace {

// C(k dt) = q + D0 exp(-k dt / tau) on n lags.
std::vector<double> exponential(double tau, double q = 0.1, double D0 = 1.0, double dt = 0.1, std::size_t n = 1501) {
    std::vector<double> C(n);
    for (std::size_t k = 0; k < n; ++k) C[k] = q + D0 * std::exp(-double(k) * dt / tau);
    return C;
}

// Anchors with a budget of one move, placed on an e-folding time of 8 and moved once (to 20); *moved
// says whether the second update moved them.
TailAnchors moved_once(double q, double dt, double eps, bool* moved) {
    TailAnchors a(3.0, 1);
    a.update(exponential(8, q), q, dt, eps, moved);
    a.update(exponential(20, q), q, dt, eps, moved);
    return a;
}

}  // namespace

TEST_CASE("tail model: on an exponential the crossings and the e-folding time are exact, and the model changes nothing") {
    const double tau = 10, q = 0.1, dt = 0.1, eps = 0.05;
    std::vector<double> C = exponential(tau, q);
    const TailModel m = fit_tail(C, q, dt, eps);
    REQUIRE(m.applied);
    // Linear interpolation between lags 0.1 apart: crossing errors ~ dt^2 / (8 tau) ~ 1e-4.
    CHECK(m.t1 == doctest::Approx(tau).epsilon(1e-4));
    CHECK(m.te == doctest::Approx(tau * std::log(1 / eps)).epsilon(1e-4));
    CHECK(m.tau_t == doctest::Approx(tau).epsilon(1e-4));
    const std::vector<double> before = C;
    apply_tail(C, q, dt, tail_at_anchors(C, q, dt, m.t1, m.te));
    for (std::size_t k = 0; k < C.size(); k += 50) CHECK(C[k] - q == doctest::Approx(before[k] - q).epsilon(1e-3));
    // A decay that never reaches eps in the window gives no model.
    CHECK_FALSE(fit_tail(exponential(1000, q), q, dt, eps).applied);
}

TEST_CASE("tail anchors: held while the level at t_e stays within the factor, moved once it drifts beyond") {
    const double q = 0.1, dt = 0.1, eps = 0.05;
    TailAnchors a(3.0, 4);
    bool moved = true;
    // First output (a guess with a short 1/e time, 8): anchors at its crossings, not a move.
    TailModel m = a.update(exponential(8, q), q, dt, eps, &moved);
    REQUIRE(a.set());
    CHECK_FALSE(moved);
    CHECK(a.t1() == doctest::Approx(8).epsilon(1e-3));
    CHECK(a.te() == doctest::Approx(8 * std::log(20.0)).epsilon(1e-3));
    CHECK(m.eps == doctest::Approx(eps).epsilon(1e-3));
    // A slightly slower decay (9): the level at t_e = 24 is e^{-24/9} / 1 = 0.070, within 3x of eps: held,
    // and the model follows the new decay through the same anchors (log-slope 1/9).
    m = a.update(exponential(9, q), q, dt, eps, &moved);
    CHECK_FALSE(moved);
    CHECK(a.t1() == doctest::Approx(8).epsilon(1e-3));
    CHECK(m.eps == doctest::Approx(std::exp(-8 * std::log(20.0) / 9)).epsilon(1e-3));
    CHECK(m.tau_t == doctest::Approx(9).epsilon(1e-3));
    // The true decay (20): the level at t_e would be e^{-24/20} = 0.30 > 3 eps, so the anchors move to
    // its crossings (20 and 20 ln 20) and the model starts at eps again.
    m = a.update(exponential(20, q), q, dt, eps, &moved);
    CHECK(moved);
    CHECK(a.moves() == 1);
    CHECK(a.t1() == doctest::Approx(20).epsilon(1e-3));
    CHECK(a.te() == doctest::Approx(20 * std::log(20.0)).epsilon(1e-3));
    CHECK(m.eps == doctest::Approx(eps).epsilon(1e-3));
    CHECK(m.tau_t == doctest::Approx(20).epsilon(1e-3));
    // A faster decay (6) puts the level at t_e below eps / 3: moved again.
    a.update(exponential(6, q), q, dt, eps, &moved);
    CHECK(moved);
    CHECK(a.t1() == doctest::Approx(6).epsilon(1e-3));
}

TEST_CASE("tail anchors: at most max_moves moves per stage") {
    const double q = 0.0, dt = 0.1, eps = 0.05;
    bool moved = false;
    TailAnchors a = moved_once(q, dt, eps, &moved);
    CHECK(moved);
    const double te = a.te();
    // The budget is spent: the anchors stay, and the model is taken at them whatever the level there.
    const TailModel m = a.update(exponential(6, q), q, dt, eps, &moved);
    CHECK_FALSE(moved);
    CHECK(a.te() == te);
    CHECK(a.moves() == 1);
    REQUIRE(m.applied);
    CHECK(m.eps == doctest::Approx(std::exp(-te / 6)).epsilon(1e-3));
}

TEST_CASE("tail anchors: a new stage keeps them where they are, with a fresh budget of moves") {
    const double q = 0.0, dt = 0.1, eps = 0.05;
    bool moved = false;
    TailAnchors a = moved_once(q, dt, eps, &moved);
    REQUIRE(a.moves() == 1);
    const double te = a.te(), t1 = a.t1();
    a.new_stage();
    CHECK(a.set());
    CHECK(a.te() == te);
    CHECK(a.t1() == t1);
    CHECK(a.moves() == 0);
    // An output near the level of placement keeps them; a drifted one moves them again.
    a.update(exponential(20, q), q, dt, eps, &moved);
    CHECK_FALSE(moved);
    a.update(exponential(6, q), q, dt, eps, &moved);
    CHECK(moved);
    CHECK(a.te() < te);
}
