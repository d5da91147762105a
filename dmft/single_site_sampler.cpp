#include "dmft/single_site_sampler.hpp"

#include "numerics/fft.hpp"
#include "numerics/fft_correlation.hpp"

#include <omp.h>

#include <algorithm>
#include <stdexcept>

namespace gdmft {

SiteGrid SiteGrid::make(std::size_t n, double dt, std::size_t measured, double max_lag_step) {
    if (n < 2) throw std::invalid_argument("SiteGrid: need at least 2 lags");
    if (!(dt > 0)) throw std::invalid_argument("SiteGrid: dt must be > 0");
    SiteGrid g;
    g.n = n;
    g.dt = dt;
    g.burn = n / 2;
    g.stride = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(max_lag_step / dt + 1e-9)));
    g.m = fft::good_size(g.burn + std::max(measured, 2 * n + 4 * g.stride));
    return g;
}

std::vector<double> detail::refine_lags(const std::vector<double>& c, std::size_t stride, std::size_t n) {
    std::vector<double> out(n);
    if (stride == 1) {
        std::copy(c.begin(), c.begin() + n, out.begin());
        return out;
    }
    auto at = [&](std::ptrdiff_t j) { return c[static_cast<std::size_t>(j < 0 ? -j : j)]; };
    for (std::size_t k = 0; k < n; ++k) {
        const auto j = static_cast<std::ptrdiff_t>(k / stride);
        const double t = double(k % stride) / double(stride);
        const double wm = -t * (t - 1) * (t - 2) / 6, w0 = (t + 1) * (t - 1) * (t - 2) / 2;
        const double w1 = -(t + 1) * t * (t - 2) / 2, w2 = (t + 1) * t * (t - 1) / 6;
        out[k] = wm * at(j - 1) + w0 * at(j) + w1 * at(j + 1) + w2 * at(j + 2);
    }
    return out;
}

namespace {

// Noise stream tags: per pair of paths (eta_h, z) and per path (static parts and input).
constexpr std::uint64_t tag_eta = 1, tag_z = 2, tag_static = 3;

struct Partial {
    std::vector<double> phi, h, R8;
    double sum_phi = 0, sum_h = 0, sum_sigma = 0, sum_z2 = 0, sum_eta2 = 0, starts = 0;
};

}  // namespace

SingleSiteSampler::SingleSiteSampler(const ModelParams& p, const SiteGrid& g, std::size_t max_paths,
                                     std::uint64_t set_seed, std::size_t noise_budget_bytes)
    : p_(p), grid_(g), max_paths_((std::max<std::size_t>(max_paths, 1) + block - 1) / block * block),
      seed_(set_seed) {
    if (g.n < 2 || g.m < 2 * g.n || g.burn + g.n > g.m)
        throw std::invalid_argument("SingleSiteSampler: grid needs n >= 2, m >= 2n and burn + n <= m");
    clock_constant_ = p.alpha_z == 0 || p.g_z == 0;
    eta_sampler_ = std::make_unique<CirculantSampler>(g.m);
    if (!clock_constant_) z_sampler_ = std::make_unique<CirculantSampler>(g.m);

    statics_.resize(3 * max_paths_);
    for (std::size_t i = 0; i < max_paths_; ++i) WhiteNoise::fill(stream_key(seed_, i, tag_static), &statics_[3 * i], 3);

    const std::size_t pairs = max_paths_ / 2, per_pair = 2 * g.m;
    const double bytes = double(pairs) * per_pair * sizeof(float) * (clock_constant_ ? 1 : 2);
    stored_ = bytes <= double(noise_budget_bytes);
    if (!stored_) return;
    eta_noise_.resize(pairs * per_pair);
    if (!clock_constant_) z_noise_.resize(pairs * per_pair);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(pairs); ++i) {
        WhiteNoise::fill(stream_key(seed_, i, tag_eta), &eta_noise_[i * per_pair], per_pair);
        if (!clock_constant_) WhiteNoise::fill(stream_key(seed_, i, tag_z), &z_noise_[i * per_pair], per_pair);
    }
}

SingleSiteSampler::~SingleSiteSampler() = default;

SiteMeasurement SingleSiteSampler::run(const SiteFields& f, std::size_t paths, bool full) {
    const std::size_t n = grid_.n, m = grid_.m, B = grid_.burn, L = m - B;
    const std::size_t D = grid_.stride, nc = grid_.coarse_lags(), Lc = grid_.coarse_measured();
    constexpr std::size_t W = block;
    if (paths == 0 || paths % W != 0 || paths > max_paths_)
        throw std::invalid_argument("SingleSiteSampler::run: paths must be a positive multiple of 8, <= max_paths");
    if (f.eta_dyn.size() != n || (!clock_constant_ && f.z_dyn.size() != n))
        throw std::invalid_argument("SingleSiteSampler::run: field covariances must have n lags");

    SiteMeasurement out;
    out.paths = paths;
    out.clipped_eta = eta_sampler_->set_covariance(f.eta_dyn);
    if (!clock_constant_) out.clipped_z = z_sampler_->set_covariance(f.z_dyn);

    const double sd_eta = std::sqrt(std::max(0.0, f.eta_static));
    const double sd_z = std::sqrt(std::max(0.0, f.z_static));
    const double mu = p_.input_mean, s_in = p_.input_std;
    const Phi phi = p_.phi_fn();
    const Gate gz = p_.gate_z();
    const double c = grid_.dt / p_.tau_h;
    const double s_const = gz(0.0);  // the clock when it is constant (alpha_z = 0, or g_z = 0 so z = 0)
    const double e_const = std::exp(-s_const * c);
    const std::size_t per_pair = 2 * m;
    const std::size_t stride_R = std::max<std::size_t>(1, n / 8);

    const std::size_t nchunks = (paths + chunk - 1) / chunk;
    std::vector<Partial> part(nchunks);

#pragma omp parallel
    {
        CirculantSampler::Workspace ws(m);
        Autocorrelator ac(Lc);
        std::vector<double> a(m), b(m), U(m * W), E(m * W), H(m * W), S(full ? m * W : 0);
        std::vector<float> xi(stored_ ? 0 : per_pair);
        std::vector<double> R8(full ? n * W : 0);

#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks); ++ci) {
            Partial& P = part[ci];
            P.phi.assign(nc, 0.0);
            if (full) {
                P.h.assign(nc, 0.0);
                std::fill(R8.begin(), R8.end(), 0.0);
            }
            const std::size_t p_end = std::min(paths, (ci + 1) * chunk);
            for (std::size_t p0 = ci * chunk; p0 < p_end; p0 += W) {
                // 1. Fields: eta_h + I into U, z into E (W/2 pairs, two paths per complex draw).
                for (std::size_t q = 0; q < W / 2; ++q) {
                    const std::size_t pair = p0 / 2 + q, la = 2 * q, lb = 2 * q + 1;
                    const double* st_a = &statics_[3 * (p0 + la)];
                    const double* st_b = &statics_[3 * (p0 + lb)];
                    const float* x = nullptr;
                    if (stored_) {
                        x = &eta_noise_[pair * per_pair];
                    } else {
                        WhiteNoise::fill(stream_key(seed_, pair, tag_eta), xi.data(), per_pair);
                        x = xi.data();
                    }
                    eta_sampler_->draw_pair(x, a.data(), b.data(), ws);
                    const double ea = sd_eta * st_a[1], eb = sd_eta * st_b[1];
                    const double ia = mu + s_in * st_a[2], ib = mu + s_in * st_b[2];
                    for (std::size_t t = 0; t < m; ++t) {
                        U[t * W + la] = a[t] + ea + ia;
                        U[t * W + lb] = b[t] + eb + ib;
                    }
                    if (full)
                        for (std::size_t t = B; t < m; ++t)
                            P.sum_eta2 += (a[t] + ea) * (a[t] + ea) + (b[t] + eb) * (b[t] + eb);
                    if (clock_constant_) continue;
                    if (stored_) {
                        x = &z_noise_[pair * per_pair];
                    } else {
                        WhiteNoise::fill(stream_key(seed_, pair, tag_z), xi.data(), per_pair);
                        x = xi.data();
                    }
                    z_sampler_->draw_pair(x, a.data(), b.data(), ws);
                    const double za = sd_z * st_a[0], zb = sd_z * st_b[0];
                    for (std::size_t t = 0; t < m; ++t) {
                        E[t * W + la] = a[t] + za;
                        E[t * W + lb] = b[t] + zb;
                    }
                }
                // 2. The clock sigma_z(z) and the step decay e^{-a}, a = sigma_z dt / tau_h.
                if (clock_constant_) {
                    std::fill(E.begin(), E.end(), e_const);
                    if (full) std::fill(S.begin(), S.end(), s_const);
                } else {
                    if (full)
                        for (std::size_t i = B * W; i < m * W; ++i) P.sum_z2 += E[i] * E[i];
                    const double al = gz.alpha, be = gz.beta;
                    if (full) {
                        for (std::size_t i = 0; i < m * W; ++i) {
                            const double s = 1.0 / (1.0 + detail::fast_exp(be - al * E[i]));
                            S[i] = s;
                            E[i] = detail::fast_exp(-c * s);
                        }
                    } else {
                        for (std::size_t i = 0; i < m * W; ++i) {
                            const double s = 1.0 / (1.0 + detail::fast_exp(be - al * E[i]));
                            E[i] = detail::fast_exp(-c * s);
                        }
                    }
                }
                // 3. Integrate h with the exact exponential step (coefficients constant over a step).
                for (std::size_t l = 0; l < W; ++l) H[l] = U[l];
                for (std::size_t t = 1; t < m; ++t) {
                    const double* u = &U[(t - 1) * W];
                    const double* e = &E[(t - 1) * W];
                    const double* hp = &H[(t - 1) * W];
                    double* h = &H[t * W];
                    for (std::size_t l = 0; l < W; ++l) h[l] = u[l] + e[l] * (hp[l] - u[l]);
                }
                // 4. phi(h) over the measured part (into U, no longer needed) and its lag sums.
                if (phi.kind == PhiKind::Tanh) {
                    for (std::size_t i = B * W; i < m * W; ++i) U[i] = detail::fast_tanh(H[i]);
                } else {
                    for (std::size_t i = B * W; i < m * W; ++i) U[i] = phi(H[i]);
                }
                for (std::size_t i = B * W; i < m * W; ++i) P.sum_phi += U[i];
                for (std::size_t l = 0; l < W; ++l) ac.accumulate_lag_sums(&U[B * W + l], W * D, P.phi.data(), nc - 1);
                if (!full) continue;
                // 5. Full measurement: C_h, clock mean, and the response kernel over a set of start times.
                for (std::size_t l = 0; l < W; ++l) ac.accumulate_lag_sums(&H[B * W + l], W * D, P.h.data(), nc - 1);
                for (std::size_t i = B * W; i < m * W; ++i) {
                    P.sum_h += H[i];
                    P.sum_sigma += S[i];
                }
                for (std::size_t j = B; j + n <= m; j += stride_R) {
                    double prod[W];
                    for (std::size_t l = 0; l < W; ++l) prod[l] = S[j * W + l];
                    for (std::size_t k = 0; k < n; ++k) {
                        const double* e = &E[(j + k) * W];
                        double* r = &R8[k * W];
                        for (std::size_t l = 0; l < W; ++l) {
                            r[l] += prod[l];
                            prod[l] *= e[l];
                        }
                    }
                    P.starts += W;
                }
            }
            if (full) {
                P.R8.assign(n, 0.0);
                for (std::size_t k = 0; k < n; ++k)
                    for (std::size_t l = 0; l < W; ++l) P.R8[k] += R8[k * W + l];
            }
        }
    }

    // Fixed-order reduction over chunks.
    std::vector<double> cphi(nc, 0.0);
    double sum_phi = 0;
    for (const auto& P : part) {
        for (std::size_t j = 0; j < nc; ++j) cphi[j] += P.phi[j];
        sum_phi += P.sum_phi;
    }
    const double samples = double(paths) * double(L);
    for (std::size_t j = 0; j < nc; ++j) cphi[j] /= double(paths) * double(Lc - j);
    out.C_phi = detail::refine_lags(cphi, D, n);
    out.mean_phi = sum_phi / samples;
    if (!full) return out;

    std::vector<double> ch(nc, 0.0);
    out.R.assign(n, 0.0);
    double sum_h = 0, sum_sigma = 0, sum_z2 = 0, sum_eta2 = 0, starts = 0;
    for (const auto& P : part) {
        for (std::size_t j = 0; j < nc; ++j) ch[j] += P.h[j];
        for (std::size_t k = 0; k < n; ++k) out.R[k] += P.R8[k];
        sum_h += P.sum_h;
        sum_sigma += P.sum_sigma;
        sum_z2 += P.sum_z2;
        sum_eta2 += P.sum_eta2;
        starts += P.starts;
    }
    for (std::size_t j = 0; j < nc; ++j) ch[j] /= double(paths) * double(Lc - j);
    out.C_h = detail::refine_lags(ch, D, n);
    for (std::size_t k = 0; k < n; ++k) out.R[k] /= starts * p_.tau_h;
    out.mean_h = sum_h / samples;
    out.mean_sigma_z = sum_sigma / samples;
    out.var_z = clock_constant_ ? 0.0 : sum_z2 / samples;
    out.var_eta = sum_eta2 / samples;
    return out;
}

}  // namespace gdmft
