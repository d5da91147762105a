// The swept-parameter axes of transitions, boundary and phase: the forms INTERFACE.md gives, and the
// bad input the phase-diagram issue lists (unknown name, MIN >= MAX, fewer than 2 points, same
// parameter on both axes), each rejected with BadInput naming the flag.
#include "dmft/parameter_axis.hpp"
#include "numerics/errors.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace gdmft;

namespace {
std::string rejected_by(const std::string& flag, const std::string& text, bool with_points) {
    try {
        parse_axis(flag, text, with_points);
    } catch (const BadInput& e) {
        return e.name;
    }
    return "";
}
}  // namespace

TEST_CASE("axes parse in both name forms and reach both ends exactly") {
    const ParameterAxis a = parse_axis("--x", "g-h:1.5:3:4", true);
    CHECK(a.name == "g_h");
    CHECK(a.points == 4);
    CHECK(a.value(0) == 1.5);
    CHECK(a.value(3) == 3.0);
    CHECK(a.value(1) == doctest::Approx(2.0).epsilon(1e-15));
    const ParameterAxis s = parse_axis("--scan", "input_std:0:0.5", false);
    CHECK(s.name == "input_std");
    CHECK(s.points == 0);
    CHECK(parse_axis("--x", a.to_string(), true).value(2) == a.value(2));
    CHECK(with_parameter(ModelParams{}, "alpha_r", 7).alpha_r == 7);
    CHECK(parameter_value(with_parameter(ModelParams{}, "beta_r", -1), "beta_r") == -1);
}

TEST_CASE("bad axes name the flag") {
    CHECK(rejected_by("--scan", "g_q:1:2", false) == "--scan");      // unknown parameter
    CHECK(rejected_by("--x", "g_h:2:2:5", true) == "--x");           // MIN >= MAX
    CHECK(rejected_by("--x", "g_h:3:2:5", true) == "--x");
    CHECK(rejected_by("--y", "alpha_r:0:10:1", true) == "--y");      // fewer than 2 points
    CHECK(rejected_by("--y", "alpha_r:0:10:x", true) == "--y");
    CHECK(rejected_by("--scan", "g_h:1:2:5", false) == "--scan");    // a grid where a range is asked
    CHECK(rejected_by("--x", "g_h:1:2", true) == "--x");             // a range where a grid is asked
    CHECK(rejected_by("--scan", "g_h:a:2", false) == "--scan");
    CHECK(rejected_by("--scan", "g_h:1:inf", false) == "--scan");
    const ParameterAxis x = parse_axis("--x", "g_h:1:2:3", true);
    const ParameterAxis y = parse_axis("--y", "g-h:0:1:3", true);
    bool thrown = false;
    try {
        require_distinct(x, y, "--y");
    } catch (const BadInput& e) {
        thrown = e.name == "--y";
    }
    CHECK(thrown);
}
