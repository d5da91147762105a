#pragma once
// The subcommands. Each adds itself to the root app and returns its runner.
#include "app/cli.hpp"

namespace gdmft::app {

Command add_simulate(CLI::App& root);
Command add_solve(CLI::App& root);
Command add_fixedpoint(CLI::App& root);
Command add_validate(CLI::App& root);
Command add_spectrum(CLI::App& root);
Command add_memory(CLI::App& root);
Command add_transient(CLI::App& root);
Command add_transitions(CLI::App& root);
Command add_boundary(CLI::App& root);
Command add_fate(CLI::App& root);
Command add_phase(CLI::App& root);
Command add_complexity(CLI::App& root);
Command add_gradient(CLI::App& root);

}  // namespace gdmft::app
