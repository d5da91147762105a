// gdmft as a library: solve the stationary DMFT of one model point and print it, through the public
// headers alone. The point is the output-gated network of the validation table (README, "Validation
// so far"; THEORY.md section 8): g_h = 3, alpha_r = 4, an instantaneous output gate (tau_r = 0).
#include "dmft/solve.hpp"
#include "numerics/errors.hpp"

#include <cstdio>

int main() {
    gdmft::ModelParams m;
    m.g_h = 3;
    m.alpha_r = 4;
    m.tau_r = 0;

    gdmft::StationaryOptions o;
    o.lyapunov = true;  // also lambda_max (Schrodinger ground state here: Gaussian closure, tau_r = 0)
    const gdmft::StationaryResult r = gdmft::solve_stationary(m, o);

    std::printf("converged: %s\n", r.converged ? "yes" : "no");
    std::printf("method: %s\n", r.method.c_str());
    std::printf("C_h0: %.6g (THEORY.md section 8: 1.198)\n", r.C_h0);
    std::printf("tau_corr: %.6g\n", r.tau_corr);
    std::printf("lambda_max: %.6g (by %s)\n", r.lambda_max, r.lambda_method.c_str());

    // Bad options throw gdmft::BadInput naming the option and the rule it breaks.
    o.tol = -1;
    try {
        gdmft::solve_stationary(m, o);
        std::printf("bad option accepted: tol = -1\n");
        return 1;
    } catch (const gdmft::BadInput& e) {
        std::printf("bad option: %s: %s\n", e.name.c_str(), e.rule.c_str());
    }
    return r.converged ? 0 : 1;
}
