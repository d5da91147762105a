#pragma once
// Linear interpolation of tabulated y(x) (x increasing, not necessarily uniform).
#include <vector>

namespace gdmft {

// y at each of xs, held at the end values outside [x_0, x_last].
std::vector<double> interpolate(const std::vector<double>& x, const std::vector<double>& y,
                                const std::vector<double>& xs);
// y at t; NaN outside [x_0, x_last] (no extrapolation).
double interpolate_or_nan(const std::vector<double>& x, const std::vector<double>& y, double t);

}  // namespace gdmft
