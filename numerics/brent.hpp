#pragma once
// One-dimensional Brent root finding and minimization (GSL), for callers that pass lambdas.
#include <functional>
#include <limits>

namespace gdmft {

struct Brent1D {
    bool ok = false;  // converged to the tolerance (root: a sign change was bracketed)
    double x = std::numeric_limits<double>::quiet_NaN();
    double f = std::numeric_limits<double>::quiet_NaN();
    int evaluations = 0;
};

// Root of f in [a, b] (f(a), f(b) of opposite signs or zero), to |interval| <= xtol_abs + xtol_rel |x|.
// ok false (x NaN) without a sign change or when f is not finite at an end.
Brent1D brent_root(const std::function<double(double)>& f, double a, double b, double xtol_rel = 1e-13,
                   double xtol_abs = 0.0, int max_iterations = 200);

// Minimum of f in [a, b] from a guess x0 with f(x0) < f(a), f(b), to the same tolerance.
// ok false when the guess does not satisfy that or f is not finite there.
Brent1D brent_min(const std::function<double(double)>& f, double a, double x0, double b, double xtol_rel = 1e-10,
                  double xtol_abs = 0.0, int max_iterations = 200);

}  // namespace gdmft
