#include "dmft/lyapunov_sampled.hpp"

#include "dmft/gate_statistics.hpp"
#include "dmft/single_site_sampler.hpp"
#include "numerics/circulant_sampler.hpp"
#include "numerics/format.hpp"
#include "numerics/gaussian_average.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"
#include "numerics/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace gdmft {

namespace {

constexpr std::uint64_t kSetTag = 0x7a9;  // random sets of this route (the sampled solver uses 0x5e7)
constexpr double kLagStep = 0.2;          // lag products every 0.2 tau_h (as the sampled solver)

}  // namespace

TangentForward closure_forward(const ModelParams& p, const StationaryResult& c) {
    if (c.method != "gaussian" || c.tau.size() < 2)
        throw BadInput("closure", "needs a Gaussian-closure result (closure_forward)");
    // Raw second moments from the closure's centred outputs: h ~ N(mu, C_h0), r ~ N(0, C_r0).
    const std::size_t n = c.tau.size();
    const double mphi = gauss::mean(p.phi_fn(), c.mean_h, c.C_h0);
    const double msr = gate_mean(p.gate_r(), c.C_r[0]);
    const double q = std::isfinite(c.q_phi) ? std::max(0.0, c.q_phi + mphi * mphi) : 0.0;  // C_phi(inf), raw
    const std::vector<double> taper = detail::window_taper(n);
    TangentForward fwd;
    fwd.C_phi.resize(n);
    for (std::size_t k = 0; k < n; ++k) fwd.C_phi[k] = c.C_phi[k] + mphi * mphi;
    fwd.phi_plateau = q;
    fwd.C_r = c.C_r;
    fwd.r_plateau = p.g_r * p.g_r * q;
    // eta_h: covariance g_h^2 C_srphi (raw); its plateau (the closure's window holds the decay) is static.
    const double g2 = p.g_h * p.g_h;
    const double eta_plateau = q > 0 ? g2 * std::max(0.0, c.C_srphi.back() + msr * msr * mphi * mphi) : 0.0;
    fwd.fields.eta_static = eta_plateau;
    fwd.fields.eta_dyn.resize(n);
    for (std::size_t k = 0; k < n; ++k)
        fwd.fields.eta_dyn[k] = (g2 * (c.C_srphi[k] + msr * msr * mphi * mphi) - eta_plateau) * taper[k];

    return fwd;
}

ClosureTangentResult tangent_lambda_from_closure(const ModelParams& p, const StationaryResult& c,
                                                 const ClosureTangentOptions& o) {
    ClosureTangentResult res;
    if (p.alpha_z != 0) throw BadInput("alpha_z", "needs alpha_z = 0 (a closure result) (tangent_lambda_from_closure)");
    if (c.method != "gaussian" || c.termination != Termination::Converged || c.tau.size() < 16)
        throw BadInput("closure", "needs a converged chaotic Gaussian-closure result (tangent_lambda_from_closure)");
    if (o.random_sets < 1 || o.paths < 8) throw BadInput("paths", "bad options (tangent_lambda_from_closure)");

    const std::size_t n = c.tau.size();
    const double dt = c.tau[1] - c.tau[0];
    const TangentForward fwd = closure_forward(p, c);

    const auto measured = static_cast<std::size_t>(std::max(2.0 * double(n), o.measured_teff * p.tau_eff() / dt));
    const SiteGrid grid = SiteGrid::make(n, dt, measured, kLagStep * p.tau_h);
    const std::size_t paths = (o.paths + 7) / 8 * 8;
    TangentOptions to = o.tangent;
    to.observer = o.observer;
    to.paths = paths;

    bool all = true;
    double cphi_dev = 0;
    TangentResult first;
    for (int s = 0; s < o.random_sets; ++s) {
        SingleSiteSampler smp(p, grid, paths, stream_key(o.seed, kSetTag, static_cast<std::uint64_t>(s)));
        // One forward pass: the clipped weight of the embedding, and how far the sampled C_phi(0) lies
        // from the closure's (path discretisation and sampling noise).
        const SiteMeasurement m = smp.run(fwd.fields, paths, false);
        res.clipped_weight = std::max({res.clipped_weight, m.clipped_eta, m.clipped_z});
        cphi_dev += (m.C_phi[0] - fwd.C_phi[0]) / fwd.C_phi[0] / o.random_sets;
        // Later sets start the lambda search from set 0's root and eigenvector (tangent_dmft.hpp).
        to.hint = s > 0 ? &first : nullptr;
        const TangentResult t = tangent_lambda_max(p, smp, fwd, to);
        log_line(o.observer, "closure tangent (sampled): set " + std::to_string(s + 1) + "/" + std::to_string(o.random_sets) +
                 ": " + t.message);
        if (s == 0) res.rho_zero = t.rho_zero, first = t;
        all = all && t.converged;
        if (std::isfinite(t.lambda_max)) res.set_lambda.push_back(t.lambda_max);
    }
    res.converged = all && !res.set_lambda.empty();
    if (!res.set_lambda.empty()) {
        const MeanErr e = mean_err(res.set_lambda);
        res.lambda_max = e.mean;
        if (res.set_lambda.size() > 1) res.lambda_max_err = e.stderr_;
    }
    res.message = "tangent DMFT on " + std::to_string(o.random_sets) + " random set(s) of " + std::to_string(paths) +
                  " sampled paths (" + std::to_string(grid.m) + " steps of " + fmt("%.3g", dt) +
                  ") driven by the closure's fields: lambda_max " + fmt("%.6g", res.lambda_max) + " +- " +
                  fmt("%.2g", res.lambda_max_err) + "; sampled C_phi(0) off the closure's by " +
                  fmt("%+.2e", cphi_dev) + " (relative), clipped weight " + fmt("%.1e", res.clipped_weight) +
                  (res.converged ? "" : "; NOT CONVERGED in every set");
    return res;
}

}  // namespace gdmft
