#include "dmft/stationary.hpp"

#include "numerics/errors.hpp"

#include <cmath>
#include <stdexcept>

namespace gdmft {

std::string to_string(Termination t) {
    switch (t) {
        case Termination::Converged: return "converged";
        case Termination::MaxIterations: return "max_iterations";
        case Termination::Diverged: return "diverged";
        case Termination::NotFinite: return "not_finite";
        case Termination::NoChaoticSolution: return "no_chaotic_solution";
        case Termination::Budget: return "budget";
    }
    return "unknown";
}

std::string to_string(Method m) {
    switch (m) {
        case Method::Auto: return "auto";
        case Method::Gaussian: return "gaussian";
        case Method::Sampled: return "sampled";
    }
    return "unknown";
}

Method parse_method(const std::string& s, const std::string& key) {
    if (s.empty() || s == "auto") return Method::Auto;
    if (s == "gaussian") return Method::Gaussian;
    if (s == "sampled") return Method::Sampled;
    throw BadInput(key, "must be 'auto', 'gaussian' or 'sampled', got '" + s + "'");
}

Method resolve_method(const ModelParams& m, Method requested, const std::string& key) {
    if (requested == Method::Auto) return m.alpha_z == 0 ? Method::Gaussian : Method::Sampled;
    if (requested == Method::Gaussian && m.alpha_z != 0)
        throw BadInput(key, "'gaussian' needs alpha_z = 0 (the closure assumes a constant update gate); use 'sampled'");
    return requested;
}

std::string to_string(LyapunovMethod m) {
    switch (m) {
        case LyapunovMethod::Auto: return "auto";
        case LyapunovMethod::Schrodinger: return "schrodinger";
        case LyapunovMethod::ClosureTangent: return "closure-tangent";
        case LyapunovMethod::SampledTangent: return "sampled-tangent";
        case LyapunovMethod::FixedPoint: return "fixed-point";
    }
    return "unknown";
}

LyapunovMethod parse_lyapunov_method(const std::string& s) {
    if (s == "auto") return LyapunovMethod::Auto;
    if (s == "schrodinger") return LyapunovMethod::Schrodinger;
    if (s == "closure-tangent") return LyapunovMethod::ClosureTangent;
    if (s == "sampled-tangent") return LyapunovMethod::SampledTangent;
    throw BadInput("lyapunov_method", "must be auto, schrodinger, closure-tangent or sampled-tangent, got '" + s + "'");
}

double default_dt(Method m) {
    switch (m) {
        case Method::Gaussian: return gaussian_default_dt;
        case Method::Sampled: return sampled_default_dt;
        case Method::Auto: break;
    }
    throw std::logic_error("default_dt: resolve the method first");
}

void attach_tail_form(StationaryResult& r) {
    std::vector<double> err;  // sampled: none per lag (fit residuals)
    if (r.method == "gaussian" && !r.C_h.empty()) err.assign(r.C_h.size(), 1e-6 * std::abs(r.C_h[0] - r.q_h));
    try {
        r.tail = fit_tail_form(r.tau, r.C_h, r.q_h, err);
    } catch (const BadInput& e) {  // a failed solve: no finite correlation function to fit
        r.tail = TailForm{};
        r.tail.evidence = std::string("no tail fit: ") + e.what();
    }
}

void StationaryOptions::validate() const {
    if (!(std::isfinite(grid.dt) && grid.dt >= 0))
        throw BadInput("dt", "lag step must be a finite number > 0 (0 = the method's default)");
    if (!(std::isfinite(grid.window) && grid.window >= 0))
        throw BadInput("window", "lag window must be >= 0 (0 = automatic)");
    if (grid.window > 0 && grid.window < 4 * grid.dt) throw BadInput("window", "must be at least 4 lag steps (4 * dt)");
    if (!(std::isfinite(grid.max_window) && grid.max_window >= 0))
        throw BadInput("max_window", "the automatic window's budget must be >= 0 (0 = the default)");
    if (grid.window > 0 && grid.max_window > 0)
        throw BadInput("max_window", "applies to the automatic window only; drop it or --window");
    if (!(std::isfinite(max_time) && max_time >= 0)) throw BadInput("max_time", "must be >= 0 seconds (0 = none)");
    if (!(std::isfinite(tol) && tol > 0)) throw BadInput("tol", "tolerance must be a finite number > 0");
    if (max_iterations < 1) throw BadInput("max_iter", "must be >= 1");
    if (paths < 2) throw BadInput("paths", "need at least 2 sample paths");
    if (random_sets < 1) throw BadInput("random_sets", "must be >= 1");
    if (!(std::isfinite(noise_tol) && noise_tol >= 0 && noise_tol <= 1))
        throw BadInput("noise_tol", "must be in [0, 1] (0 = iterate to tol)");
}

}  // namespace gdmft
