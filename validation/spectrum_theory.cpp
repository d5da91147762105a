#include "validation/spectrum_theory.hpp"

#include "dmft/solve.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"

namespace gdmft::sim {

SpectrumAt choose_spectrum_at(const ModelParams& m, const std::string& requested) {
    if (requested != "auto" && requested != "fixedpoint" && requested != "snapshot")
        throw BadInput("at", "must be 'auto', 'fixedpoint' or 'snapshot', got '" + requested + "'");
    if (requested != "auto") return parse_spectrum_at(requested);
    bool stable = false;
    for (const auto& b : fixed_points(m)) stable |= b.stable;
    return stable ? SpectrumAt::FixedPoint : SpectrumAt::Snapshot;
}

SpectrumTheory spectrum_theory(const ModelParams& m, SpectrumAt at, bool empirical, const Eigen::VectorXd& x,
                               std::size_t N, const SiteSamples& samples, std::uint64_t seed,
                               const Observer* observer) {
    SpectrumTheory t;
    if (at == SpectrumAt::FixedPoint && !empirical) {
        t.Delta_h_measured = (x.head(static_cast<Eigen::Index>(N)).array() - m.input_mean).square().mean();
        for (const auto& br : fixed_points(m))
            if (!t.branch || std::abs(br.Delta_h - t.Delta_h_measured) < std::abs(t.branch->Delta_h - t.Delta_h_measured))
                t.branch = br;
        if (!t.branch) throw NumericalFailure("the fixed-point analysis found no branch");
        const FixedPointBranch& b = *t.branch;
        t.model = support_model_gaussian(m, m.input_mean, b.Delta_h, b.Delta_r, b.Delta_z,
                                         "fixed-point DMFT branch Delta_h = " + fmt("%g", b.Delta_h));
        return t;
    }
    if (at == SpectrumAt::Snapshot && !empirical && m.alpha_z == 0.0) {
        StationaryOptions so;
        so.seed = seed;
        so.observer = observer;
        so.method = Method::Gaussian;
        const StationaryResult r = solve_stationary(m, so);
        t.dmft_used = true;
        t.dmft_converged = r.converged;
        t.dmft_C_h0 = r.C_h0;
        t.dmft_C_r0 = r.C_r0;
        if (r.converged && std::isfinite(r.C_h0)) {
            t.model = support_model_gaussian(m, r.mean_h, r.C_h0, std::isfinite(r.C_r0) ? r.C_r0 : 0.0, 0.0,
                                             "stationary DMFT (Gaussian closure) C_h0 = " + fmt("%g", r.C_h0));
            return t;
        }
        log_line(observer, "spectrum: the Gaussian closure did not converge (" + r.message +
                               "); the boundary uses the snapshot's statistics");
        t.model = support_model_units(m, samples, 20, "snapshot statistics, per unit (DMFT failed)");
        return t;
    }
    t.model = support_model_units(m, samples, 20,
                                  at == SpectrumAt::FixedPoint ? "network fixed point statistics, per unit"
                                                               : "snapshot statistics, per unit");
    return t;
}

}  // namespace gdmft::sim
