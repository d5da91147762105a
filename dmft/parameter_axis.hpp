#pragma once
// A model parameter swept over a range: the `--scan NAME:MIN:MAX`, `--x NAME:MIN:MAX:N` and
// `--y NAME:MIN:MAX:N` axes of transitions, boundary and phase (INTERFACE.md). NAME is any numeric
// model parameter, in the config-file form (g_h) or the flag form (g-h).
#include "dmft/model.hpp"

#include <string>
#include <vector>

namespace gdmft {

struct ParameterAxis {
    std::string name;   // model key, underscore form (ModelParams::field)
    double min = 0, max = 0;
    int points = 0;     // grid points (>= 2); 0 for a range without a grid (NAME:MIN:MAX)

    // Point i of the uniform grid, i in [0, points): min at 0, max at points-1 exactly.
    double value(int i) const;
    std::vector<double> values() const;
    // "NAME:MIN:MAX[:N]" again (for headers and manifests).
    std::string to_string() const;
};

// Parses "NAME:MIN:MAX" (with_points false; a trailing ":N" is then an error) or "NAME:MIN:MAX:N".
// Throws BadInput(flag, rule) for an unknown NAME, a non-number, MIN >= MAX, or N < 2.
ParameterAxis parse_axis(const std::string& flag, const std::string& text, bool with_points);

// Throws BadInput(flag_y, ...) when both axes sweep the same parameter.
void require_distinct(const ParameterAxis& x, const ParameterAxis& y, const std::string& flag_y);

// The model with parameter `name` set to v (throws BadInput(name, ...) for an unknown name).
ModelParams with_parameter(ModelParams m, const std::string& name, double v);
double parameter_value(const ModelParams& m, const std::string& name);

}  // namespace gdmft
