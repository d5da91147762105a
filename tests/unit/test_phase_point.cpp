// classify_phase_point (dmft/phase_point.hpp): the labels at points whose answer THEORY.md gives.
#include "dmft/phase_point.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace gdmft;

namespace {

ModelParams closure_point(double g_h, double alpha_r) {
    ModelParams m;
    m.g_h = g_h;
    m.alpha_r = alpha_r;
    m.tau_r = 0;  // instantaneous output gate: the Schrodinger route for lambda_max (fast)
    return m;
}

}  // namespace

TEST_CASE("SCS limit: g_eff = g_h sigma_r(0) below 1 is stable, above 1 chaotic (THEORY.md 6)") {
    const PhasePointOptions o;
    // beta_r = 0: sigma_r(0) = 1/2, so g_eff = g_h / 2.
    const PhasePoint s = classify_phase_point(closure_point(1.6, 0), o);
    CHECK(to_string(s.label) == "stable");
    CHECK(s.termination == "no_chaotic_solution");
    CHECK(s.method == "gaussian");
    CHECK(s.G == doctest::Approx(0.64).epsilon(1e-6));  // (g_eff)^2 at the zero fixed point
    CHECK(s.stable_fixed_point_Delta_h == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(s.lambda_max < 0);

    const PhasePoint c = classify_phase_point(closure_point(3.0, 0), o);
    CHECK(to_string(c.label) == "chaotic");
    CHECK(c.termination == "converged");
    CHECK(c.lambda_max > 0);
    CHECK(c.C_h0 > 0);
    CHECK(c.G == doctest::Approx(2.25).epsilon(1e-6));  // no stable branch: the lowest (zero) one
    CHECK(std::isnan(c.stable_fixed_point_Delta_h));
}

TEST_CASE("alpha_r = 10, g_h = 1.9: the zero fixed point (g_h sigma_r(0) = 0.95) coexists with chaos") {
    const PhasePoint b = classify_phase_point(closure_point(1.9, 10), PhasePointOptions{});
    CHECK(to_string(b.label) == "bistable");
    CHECK(b.lambda_max > 0);
    CHECK(b.C_h0 > 0.1);
    CHECK(b.G == doctest::Approx(0.95 * 0.95).epsilon(1e-6));
    CHECK(b.stable_fixed_point_Delta_h == doctest::Approx(0.0).epsilon(1e-12));
}

TEST_CASE("phase_label: a failed or inconsistent solve is unresolved, never guessed") {
    StationaryResult r;
    r.C_h0 = 1.0;
    r.q_h = 0.0;
    r.lambda_max = 0.1;
    std::string why;
    for (Termination t : {Termination::MaxIterations, Termination::Diverged, Termination::NotFinite}) {
        r.termination = t;
        CHECK(phase_label(r, true, 1e-8, why) == PhaseLabel::Unresolved);
        CHECK(phase_label(r, false, 1e-8, why) == PhaseLabel::Unresolved);
        CHECK(why.find("did not converge") != std::string::npos);
    }
    r.termination = Termination::Converged;
    CHECK(phase_label(r, false, 1e-8, why) == PhaseLabel::Chaotic);
    CHECK(phase_label(r, true, 1e-8, why) == PhaseLabel::Bistable);
    r.lambda_max = -0.01;  // decaying but not chaotic: not a label of ours (marginal is not defined yet)
    CHECK(phase_label(r, false, 1e-8, why) == PhaseLabel::Unresolved);
    r.lambda_max = std::numeric_limits<double>::quiet_NaN();
    CHECK(phase_label(r, false, 1e-8, why) == PhaseLabel::Unresolved);
    r.lambda_max = 0.1;
    r.q_h = 1.0;  // no decay
    CHECK(phase_label(r, false, 1e-8, why) == PhaseLabel::Unresolved);
    r.termination = Termination::NoChaoticSolution;
    CHECK(phase_label(r, true, 1e-8, why) == PhaseLabel::Stable);
    CHECK(phase_label(r, false, 1e-8, why) == PhaseLabel::Unresolved);
}
