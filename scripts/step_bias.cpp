// The step bias of the sampled single site with a fluctuating clock, at fixed fields (docs/methods.md,
// item 6). Built by scripts/step_bias.sh against the libraries of a build directory; not part of the
// CMake build.
//
// The drive eta_h + I and the clock sigma_z(z) are drawn once per path on a fine grid (dt_f), from the
// fields of a stationary solution (`gdmft solve --out DIR`: DIR/correlations.csv, whose '# params' line
// gives the model). h is then integrated on the same paths with steps k dt_f (k = 1, 2, 4, 8, 16), with
// the sampler's rule (drive and clock held at their values at the step's start, exact exponential step)
// and with a midpoint rule (values at the step's middle sample). <h^2> and C_phi at a few lags are
// measured at common times, so the differences against the finest step are paired: their error is the
// spread of the per-path differences, far below the paths' own noise.
//
// Usage: step_bias CSV [paths=2048] [dt_f=0.025] [window=400] [length=1000] [burn=200]
// Models with alpha_r = 0 and no static input (plateau q = 0) only.
#include "dmft/gate_statistics.hpp"
#include "dmft/model.hpp"
#include "dmft/single_site_sampler.hpp"
#include "numerics/interpolate.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace gdmft;

namespace {

struct Solution {
    ModelParams p;
    std::vector<double> tau, C_phi;
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "step_bias: %s\n", what.c_str());
    std::exit(2);
}

Solution read_solution(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail("cannot read " + path);
    Solution s;
    bool have_params = false;
    int itau = -1, iphi = -1;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# params: ", 0) == 0) {
            const auto j = nlohmann::json::parse(line.substr(10));
            for (auto& [key, value] : j.items()) {
                if (key == "phi") s.p.phi = parse_phi(value.get<std::string>());
                else if (double* f = s.p.field(key)) *f = value.get<double>();
            }
            have_params = true;
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
        if (itau < 0) {
            for (int i = 0; i < int(cells.size()); ++i) {
                if (cells[i] == "tau") itau = i;
                if (cells[i] == "C_phi") iphi = i;
            }
            if (itau < 0 || iphi < 0) fail(path + ": no tau and C_phi columns");
            continue;
        }
        s.tau.push_back(std::stod(cells[itau]));
        s.C_phi.push_back(std::stod(cells[iphi]));
    }
    if (!have_params) fail(path + ": no '# params' line");
    if (s.tau.size() < 2) fail(path + ": fewer than two lags");
    if (s.p.alpha_r != 0 || s.p.input_mean != 0 || s.p.input_std != 0)
        fail("only models with alpha_r = 0 and no static input");
    if (s.p.clock_constant()) fail("the clock is constant here (alpha_z = 0 or g_z = 0)");
    return s;
}

// C_phi resampled linearly onto n lags k dt (held at its last value beyond the file's window).
std::vector<double> resample(const Solution& s, std::size_t n, double dt) {
    std::vector<double> lags(n);
    for (std::size_t k = 0; k < n; ++k) lags[k] = double(k) * dt;
    return interpolate(s.tau, s.C_phi, lags);
}

// The fields of THEORY.md 2 for alpha_r = 0 and q = 0, with the solver's taper.
SiteFields fields(const ModelParams& p, const std::vector<double>& C, double dt) {
    const std::size_t n = C.size();
    const std::vector<double> taper = detail::window_taper(n);
    LagFilter filt(n, dt);
    std::vector<double> gz2C(n);
    for (std::size_t k = 0; k < n; ++k) gz2C[k] = p.g_z * p.g_z * C[k];
    const std::vector<double> Cz = filt.apply(gz2C, 0.0, p.tau_z);
    const double sr = p.gate_r().at_zero();
    SiteFields f;
    f.eta_dyn.resize(n);
    f.z_dyn.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        f.eta_dyn[k] = p.g_h * p.g_h * sr * sr * C[k] * taper[k];
        f.z_dyn[k] = Cz[k] * taper[k];
    }
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) fail("usage: step_bias CSV [paths=2048] [dt_f=0.025] [window=400] [length=1000] [burn=200]");
    const Solution sol = read_solution(argv[1]);
    const ModelParams& p = sol.p;
    const std::size_t batch = 256;
    const std::size_t paths = argc > 2 ? std::stoul(argv[2]) : 2048;
    const double dtf = argc > 3 ? std::stod(argv[3]) : 0.025;
    const double window = argc > 4 ? std::stod(argv[4]) : 400;
    const double length = argc > 5 ? std::stod(argv[5]) : 1000;
    const double burn = argc > 6 ? std::stod(argv[6]) : 200;
    if (paths < batch || paths % batch) fail("paths must be a positive multiple of 256");
    constexpr int nk = 5;
    const std::size_t ks[nk] = {1, 2, 4, 8, 16};
    // Measured every `sub` fine steps, a multiple of every coarse step, and at lags on that grid.
    const std::size_t sub = 16;
    const std::vector<std::size_t> lag_sub = {0, 3, 5, 10, 25, 50, 125};
    const std::size_t nq = 1 + lag_sub.size();  // <h^2>, then C_phi at the lags

    const std::size_t n = static_cast<std::size_t>(std::llround(window / dtf)) + 1;
    const SiteFields f = fields(p, resample(sol, n, dtf), dtf);
    const std::size_t L = static_cast<std::size_t>(std::llround(length / dtf));
    const std::size_t B = static_cast<std::size_t>(std::llround(burn / dtf)) / sub * sub;
    if (B + sub * (lag_sub.back() + 1) >= L) fail("length must exceed the burn-in by the longest lag");
    SingleSiteSampler smp(p, SiteGrid::make(n, dtf, L), batch, 7);
    const Phi phi = p.phi_fn();

    // v[path][(rule * nk + ik) * nq + q]
    std::vector<std::vector<double>> v;
    std::vector<double> h(L);
    for (std::size_t b0 = 0; b0 < paths; b0 += batch) {
        smp.reseed(1000 + b0 / batch);
        const ForwardPaths fp = smp.forward_paths(f, batch, L);
        for (std::size_t path = 0; path < batch; ++path) {
            std::vector<double> row(2 * nk * nq, 0.0);
            auto U = [&](std::size_t j) { return fp.drive[j * batch + path]; };
            auto S = [&](std::size_t j) { return fp.sigma_z[j * batch + path]; };
            for (int rule = 0; rule < 2; ++rule)
                for (int ik = 0; ik < nk; ++ik) {
                    const std::size_t k = ks[ik], steps = L / k, at = rule == 0 ? 0 : k / 2;
                    const double dt = double(k) * dtf;
                    h[0] = U(0);
                    for (std::size_t j = 0; j + 1 < steps; ++j) {
                        const double u = U(j * k + at), e = std::exp(-dt * S(j * k + at) / p.tau_h);
                        h[j + 1] = u + e * (h[j] - u);
                    }
                    double* w = &row[(rule * nk + ik) * nq];
                    std::vector<double> cnt(nq, 0.0);
                    const std::size_t stride = sub / k;
                    for (std::size_t j = B / k; j < steps; j += stride) {
                        w[0] += h[j] * h[j];
                        cnt[0] += 1;
                        const double pj = phi(h[j]);
                        for (std::size_t a = 0; a < lag_sub.size(); ++a) {
                            const std::size_t j2 = j + lag_sub[a] * stride;
                            if (j2 >= steps) break;
                            w[1 + a] += pj * phi(h[j2]);
                            cnt[1 + a] += 1;
                        }
                    }
                    for (std::size_t q = 0; q < nq; ++q) w[q] /= cnt[q];
                }
            v.push_back(std::move(row));
        }
        std::fprintf(stderr, "step_bias: %zu of %zu paths\n", b0 + batch, paths);
    }

    const double M = double(v.size());
    std::printf("# %s: g_h %g alpha_z %g beta_z %g tau_z %g; %zu paths, fine step %g, window %g, length %g, burn %g\n",
                argv[1], p.g_h, p.alpha_z, p.beta_z, p.tau_z, v.size(), dtf, window, length, burn);
    std::printf("quantity,fine,fine_se");
    for (const char* rule : {"start", "mid"})
        for (int ik = 1; ik < nk; ++ik) std::printf(",%s_dt%g,%s_dt%g_se", rule, ks[ik] * dtf, rule, ks[ik] * dtf);
    std::printf("\n");
    for (std::size_t q = 0; q < nq; ++q) {
        if (q == 0) std::printf("h2");
        else std::printf("C_phi(%g)", double(lag_sub[q - 1] * sub) * dtf);
        double m = 0, s2 = 0;
        for (auto& r : v) m += r[q], s2 += r[q] * r[q];
        m /= M;
        std::printf(",%.6f,%.1e", m, std::sqrt(std::max(0.0, s2 / M - m * m) / M));
        for (int rule = 0; rule < 2; ++rule)
            for (int ik = 1; ik < nk; ++ik) {
                double md = 0, sd = 0;
                for (auto& r : v) {
                    const double d = r[(rule * nk + ik) * nq + q] - r[q];
                    md += d, sd += d * d;
                }
                md /= M;
                std::printf(",%+.2e,%.1e", md, std::sqrt(std::max(0.0, sd / M - md * md) / M));
            }
        std::printf("\n");
    }
}
