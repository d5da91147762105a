#include "validation/kaplan_yorke.hpp"

#include "numerics/stats.hpp"
#include "validation/lyapunov.hpp"

namespace gdmft::sim {

namespace {

// The standard error of the dimension over the time blocks of one realization (NaN if a block's
// dimension exceeds K, or with a single block).
double block_stderr(const LyapunovSpectrum& s) {
    std::vector<double> v;
    for (const auto& row : s.blocks) v.push_back(kaplan_yorke_dimension(row));
    for (double x : v)
        if (!std::isfinite(x)) return NAN;
    return v.size() > 1 ? mean_err(v).stderr_ : NAN;
}

}  // namespace

KaplanYorke kaplan_yorke(const SimulationResult& r) {
    KaplanYorke k;
    if (r.lyapunov.empty()) return k;
    k.value = r.kaplan_yorke;
    k.exceeds_k = std::isfinite(r.lyapunov[0]) && !std::isfinite(r.kaplan_yorke);
    bool finite = true;
    for (const auto& run : r.runs) {
        k.per_realization.push_back(run.kaplan_yorke);
        k.per_realization_stderr.push_back(block_stderr(run.lyapunov));
        finite = finite && std::isfinite(run.kaplan_yorke);
    }
    if (r.runs.size() > 1)
        k.stderr_ = finite ? mean_err(k.per_realization).stderr_ : NAN;
    else
        k.stderr_ = k.per_realization_stderr[0];
    return k;
}

}  // namespace gdmft::sim
