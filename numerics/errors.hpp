#pragma once
// Error types shared by every layer. The CLI maps BadInput to exit code 2.
#include <stdexcept>
#include <string>

namespace gdmft {

// Bad user input: `name` is the flag or config key, `rule` the rule it breaks.
struct BadInput : std::invalid_argument {
    BadInput(const std::string& name, const std::string& rule)
        : std::invalid_argument(name + ": " + rule), name(name), rule(rule) {}
    std::string name, rule;
};

// Numerical trouble (non-finite state, blow-up) detected during a run.
struct NumericalFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace gdmft
