#include "numerics/brent.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>

#include <cmath>

namespace gdmft {

namespace {

struct Counted {
    const std::function<double(double)>* f;
    int n = 0;
};

double call(double x, void* p) {
    auto* c = static_cast<Counted*>(p);
    ++c->n;
    return (*c->f)(x);
}

}  // namespace

Brent1D brent_root(const std::function<double(double)>& f, double a, double b, double xtol_rel, double xtol_abs,
                   int max_iterations) {
    Brent1D out;
    Counted ctx{&f};
    const double fa = call(a, &ctx), fb = call(b, &ctx);
    out.evaluations = ctx.n;
    if (!std::isfinite(fa) || !std::isfinite(fb)) return out;
    if (fa == 0 || fb == 0) {
        out.ok = true;
        out.x = fa == 0 ? a : b;
        out.f = 0;
        return out;
    }
    if ((fa > 0) == (fb > 0)) return out;
    gsl_set_error_handler_off();
    gsl_root_fsolver* s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_function F{&call, &ctx};
    gsl_root_fsolver_set(s, &F, std::min(a, b), std::max(a, b));
    for (int it = 0; it < max_iterations; ++it) {
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) break;
        out.x = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), xtol_abs, xtol_rel) ==
            GSL_SUCCESS) {
            out.ok = true;
            break;
        }
    }
    gsl_root_fsolver_free(s);
    out.f = f(out.x);
    out.evaluations = ctx.n + 1;
    if (!std::isfinite(out.f)) out.ok = false;
    return out;
}

Brent1D brent_min(const std::function<double(double)>& f, double a, double x0, double b, double xtol_rel,
                  double xtol_abs, int max_iterations) {
    Brent1D out;
    Counted ctx{&f};
    const double fa = call(a, &ctx), f0 = call(x0, &ctx), fb = call(b, &ctx);
    out.evaluations = ctx.n;
    out.x = x0;
    out.f = f0;
    if (!std::isfinite(f0) || !(f0 < fa) || !(f0 < fb)) return out;
    gsl_set_error_handler_off();
    gsl_min_fminimizer* s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    gsl_function F{&call, &ctx};
    if (gsl_min_fminimizer_set_with_values(s, &F, x0, f0, a, fa, b, fb) != GSL_SUCCESS) {
        gsl_min_fminimizer_free(s);
        return out;
    }
    for (int it = 0; it < max_iterations; ++it) {
        if (gsl_min_fminimizer_iterate(s) != GSL_SUCCESS) break;
        out.x = gsl_min_fminimizer_x_minimum(s);
        out.f = gsl_min_fminimizer_f_minimum(s);
        if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s), xtol_abs, xtol_rel) ==
            GSL_SUCCESS) {
            out.ok = true;
            break;
        }
    }
    gsl_min_fminimizer_free(s);
    out.evaluations = ctx.n;
    return out;
}

}  // namespace gdmft
