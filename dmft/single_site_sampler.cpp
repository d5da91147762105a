#include "dmft/single_site_sampler.hpp"

#include "numerics/fft.hpp"
#include "numerics/fft_correlation.hpp"
#include "numerics/errors.hpp"

#include <gsl/gsl_cdf.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <numbers>
#include <numeric>
#include <random>
#include <stdexcept>
#include <type_traits>

namespace gdmft {

SiteGrid SiteGrid::make(std::size_t n, double dt, std::size_t measured, double max_lag_step) {
    if (n < 2) throw BadInput("n", "need at least 2 lags (SiteGrid)");
    if (!(dt > 0)) throw BadInput("dt", "dt must be > 0 (SiteGrid)");
    SiteGrid g;
    g.n = n;
    g.dt = dt;
    g.burn = n / 2;
    g.stride = std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(max_lag_step / dt + 1e-9)));
    g.m = fft::good_size(g.burn + std::max(measured, 2 * n + 4 * g.stride));
    return g;
}

std::vector<double> detail::stratified_normals(std::size_t paths, std::size_t dims, std::uint64_t key) {
    // Per group of `group` consecutive paths and per dimension: one uniform in each of `group` equal
    // strata of (0, 1), assigned to the paths in a random order, mapped through the normal quantile.
    constexpr std::size_t group = 64;
    std::vector<double> out(paths * dims);
    std::mt19937_64 rng(key);
    std::uniform_real_distribution<double> unif(0.0, 1.0);
    std::vector<std::size_t> perm(group);
    for (std::size_t g0 = 0; g0 < paths; g0 += group) {
        for (std::size_t d = 0; d < dims; ++d) {
            std::iota(perm.begin(), perm.end(), std::size_t(0));
            std::shuffle(perm.begin(), perm.end(), rng);
            for (std::size_t j = 0; j < group; ++j) {
                const double u = (double(perm[j]) + unif(rng)) / double(group);
                if (g0 + j < paths) out[(g0 + j) * dims + d] = gsl_cdf_ugaussian_Pinv(std::clamp(u, 1e-300, 1 - 1e-16));
            }
        }
    }
    return out;
}

std::vector<double> detail::window_taper(std::size_t n) {
    std::vector<double> w(n, 1.0);
    const std::size_t k0 = 3 * n / 4;
    if (n < 2 || k0 + 1 >= n) return w;
    for (std::size_t k = k0; k < n; ++k)
        w[k] = 0.5 * (1 + std::cos(std::numbers::pi * double(k - k0) / double(n - 1 - k0)));
    return w;
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
constexpr std::uint64_t tag_xi = 4, tag_yz = 5, tag_r = 6, tag_yr = 7;  // tangent

// A gate 1 / (1 + e^{beta - alpha x}) with the vectorisable exponential.
inline double fast_gate(double alpha, double beta, double x) { return 1.0 / (1.0 + detail::fast_exp(beta - alpha * x)); }

// Draws pairs [from, to) of the keyed stream `tag` of random set `seed` into buf (per_pair floats each),
// on all threads.
void fill_pairs(std::uint64_t seed, std::uint64_t tag, float* buf, std::size_t per_pair, std::size_t from,
                std::size_t to) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(from); i < static_cast<std::ptrdiff_t>(to); ++i)
        WhiteNoise::fill(stream_key(seed, i, tag), &buf[i * per_pair], per_pair);
}

// One pair's noise of a keyed stream: from `stored` (per_pair floats per pair) when it is kept, else
// redrawn into `scratch` (per_pair floats).
const float* keyed_pair(const float* stored, std::uint64_t seed, std::uint64_t tag, std::size_t pair,
                        std::size_t per_pair, float* scratch) {
    if (stored) return stored + pair * per_pair;
    WhiteNoise::fill(stream_key(seed, pair, tag), scratch, per_pair);
    return scratch;
}

struct Partial {
    std::vector<double> phi, h, R8;
    double sum_phi = 0, sum_h = 0, sum_sigma = 0, sum_z2 = 0, sum_eta2 = 0, starts = 0;
    double sum_phibar2 = 0, sum_hbar2 = 0;  // squared time averages per path (static parts)
};

}  // namespace

struct SingleSiteSampler::ForwardPrep {
    double sd_u, sd_z, mu, c, s_const, e_const;
};

namespace {

// FFTW-aligned single-precision complex buffers of m values each (the draws of forward_phi_block).
struct FloatPairs {
    FloatPairs(std::size_t count, std::size_t m) : y(count, nullptr) {
        for (auto& p : y)
            if (!(p = fftwf_alloc_complex(m))) throw std::bad_alloc();
    }
    ~FloatPairs() {
        for (auto p : y) fftwf_free(p);
    }
    FloatPairs(const FloatPairs&) = delete;
    FloatPairs& operator=(const FloatPairs&) = delete;
    std::vector<fftwf_complex*> y;
};

}  // namespace

struct SingleSiteSampler::BlockWork {
    explicit BlockWork(std::size_t m, bool stored)
        : ws(m), a(m), b(m), U(m * block), E(m * block), H(m * block), S(m * block), xi(stored ? 0 : 2 * m) {}
    CirculantSampler::Workspace ws;
    std::vector<double> a, b, U, E, H, S;
    std::vector<float> xi;
    std::unique_ptr<FloatPairs> pairs;  // forward_phi_block only, made on first use
};

std::size_t SingleSiteSampler::default_noise_budget() {
    const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    const double physical = pages > 0 && page_size > 0 ? double(pages) * double(page_size) : 0.0;
    return std::max(std::size_t(768) << 20, static_cast<std::size_t>(physical / 8));
}

// Per-thread buffers of run_tangent, kept from call to call (zeroing and first touching them on every
// call took about 15% of a tangent solve).
struct SingleSiteSampler::TangentWork {
    TangentWork(std::size_t m, bool use_yz, bool use_r)
        : Xi(m * block), Y(m * block), As(m * block), Yz(use_yz ? m * block : 0), R(use_r ? m * block : 0),
          Yr(use_r ? m * block : 0), Bs(use_r ? m * block : 0), noise(2 * m + 2) {}
    std::vector<double> Xi, Y, As, Yz, R, Yr, Bs;
    std::vector<float> noise;  // one pair's redrawn noise (when not stored)
};

SingleSiteSampler::SingleSiteSampler(const ModelParams& p, const SiteGrid& g, std::size_t max_paths,
                                     std::uint64_t set_seed, std::size_t noise_budget_bytes)
    : p_(p), grid_(g), max_paths_((std::max<std::size_t>(max_paths, 1) + block - 1) / block * block),
      seed_(set_seed) {
    if (g.n < 2 || g.m < 2 * g.n || g.burn + g.n > g.m)
        throw BadInput("grid", "grid needs n >= 2, m >= 2n and burn + n <= m (SingleSiteSampler)");
    clock_constant_ = p.clock_constant();
    eta_sampler_ = std::make_unique<CirculantSampler>(g.m);
    if (!clock_constant_) z_sampler_ = std::make_unique<CirculantSampler>(g.m);

    const std::size_t pairs = max_paths_ / 2, per_pair = 2 * g.m;
    const double bytes = double(pairs) * per_pair * sizeof(float) * (clock_constant_ ? 1 : 2);
    stored_ = bytes <= double(noise_budget_bytes);
    noise_budget_ = stored_ ? noise_budget_bytes - static_cast<std::size_t>(bytes) : noise_budget_bytes;
    if (stored_) {
        // Not value-initialised: the pages are first touched by the (parallel) draws in ensure_noise.
        eta_noise_ = std::make_unique_for_overwrite<float[]>(pairs * per_pair);
        if (!clock_constant_) z_noise_ = std::make_unique_for_overwrite<float[]>(pairs * per_pair);
    }
    reseed(set_seed);
}

void SingleSiteSampler::reseed(std::uint64_t set_seed) {
    seed_ = set_seed;
    statics_ = detail::stratified_normals(max_paths_, 2, stream_key(seed_, 0, tag_static));
    filled_pairs_ = 0;
    for (auto& t : tangent_noise_) t.filled_pairs = 0;
}

void SingleSiteSampler::ensure_tangent_noise(std::size_t pairs, const bool (&use)[4]) {
    const std::size_t per_pair = 2 * grid_.m + 2;
    constexpr std::uint64_t tags[4] = {tag_xi, tag_yz, tag_r, tag_yr};
    for (int k = 0; k < 4; ++k) {
        TangentNoise& tn = tangent_noise_[k];
        if (!use[k]) continue;
        if (pairs > tn.capacity_pairs) {
            // More pairs than stored (or none yet): store all of them afresh, within the budget.
            noise_budget_ += tn.capacity_pairs * per_pair * sizeof(float);
            tn.data.reset();
            tn.capacity_pairs = tn.filled_pairs = 0;
            const std::size_t bytes = pairs * per_pair * sizeof(float);
            if (bytes > noise_budget_) continue;  // redrawn on every call
            noise_budget_ -= bytes;
            tn.data = std::make_unique_for_overwrite<float[]>(pairs * per_pair);
            tn.capacity_pairs = pairs;
        }
        if (pairs <= tn.filled_pairs) continue;
        fill_pairs(seed_, tags[k], tn.data.get(), per_pair, tn.filled_pairs, pairs);
        tn.filled_pairs = pairs;
    }
}

void SingleSiteSampler::reserve_thread_work() {
    const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
    if (work_.size() < threads) work_.resize(threads);
    if (corr_.size() < threads) corr_.resize(threads);
}

SingleSiteSampler::BlockWork& SingleSiteSampler::thread_work() {
    auto& slot = work_[static_cast<std::size_t>(omp_get_thread_num())];
    if (!slot) slot = std::make_unique<BlockWork>(grid_.m, stored_);
    return *slot;
}

Autocorrelator& SingleSiteSampler::thread_corr() {
    auto& slot = corr_[static_cast<std::size_t>(omp_get_thread_num())];
    if (!slot) slot = std::make_unique<Autocorrelator>(grid_.coarse_measured(), grid_.coarse_lags() - 1);
    return *slot;
}

void SingleSiteSampler::ensure_noise(std::size_t paths) {
    const std::size_t pairs = paths / 2, per_pair = 2 * grid_.m;
    if (!stored_ || pairs <= filled_pairs_) return;
    fill_pairs(seed_, tag_eta, eta_noise_.get(), per_pair, filled_pairs_, pairs);
    if (!clock_constant_) fill_pairs(seed_, tag_z, z_noise_.get(), per_pair, filled_pairs_, pairs);
    filled_pairs_ = pairs;
}

SingleSiteSampler::~SingleSiteSampler() = default;

SingleSiteSampler::ForwardPrep SingleSiteSampler::prepare(const SiteFields& f) const {
    ForwardPrep fp;
    fp.sd_u = std::sqrt(std::max(0.0, f.eta_static) + p_.input_std * p_.input_std);
    fp.sd_z = std::sqrt(std::max(0.0, f.z_static));
    fp.mu = p_.input_mean;
    fp.c = grid_.dt / p_.tau_h;
    fp.s_const = p_.gate_z()(0.0);  // the clock when it is constant (alpha_z = 0, or g_z = 0 so z = 0)
    fp.e_const = std::exp(-fp.s_const * fp.c);
    return fp;
}

const float* SingleSiteSampler::pair_noise(bool z, std::size_t pair, BlockWork& w) const {
    const float* stored = !stored_ ? nullptr : z ? z_noise_.get() : eta_noise_.get();
    return keyed_pair(stored, seed_, z ? tag_z : tag_eta, pair, 2 * grid_.m, w.xi.data());
}

void SingleSiteSampler::forward_block(std::size_t p0, const ForwardPrep& fp, BlockWork& w, bool need_sigma,
                                      double* sum_eta2, double* sum_z2) const {
    constexpr std::size_t W = block;
    const std::size_t m = grid_.m, B = grid_.burn;
    std::vector<double>&a = w.a, &b = w.b, &U = w.U, &E = w.E, &H = w.H, &S = w.S;
    // 1. Fields: eta_h + I into U, z into E (W/2 pairs, two paths per complex draw).
    for (std::size_t q = 0; q < W / 2; ++q) {
        const std::size_t pair = p0 / 2 + q, la = 2 * q, lb = 2 * q + 1;
        const double* st_a = &statics_[2 * (p0 + la)];
        const double* st_b = &statics_[2 * (p0 + lb)];
        const float* x = pair_noise(false, pair, w);
        eta_sampler_->draw_pair(x, a.data(), b.data(), w.ws);
        // Static drive eta_static + I - mu: one normal of variance sd_eta^2 + s^2 (a sum of independent normals).
        const double ea = fp.sd_u * st_a[1], eb = fp.sd_u * st_b[1];
        for (std::size_t t = 0; t < m; ++t) {
            U[t * W + la] = a[t] + ea + fp.mu;
            U[t * W + lb] = b[t] + eb + fp.mu;
        }
        if (sum_eta2)
            for (std::size_t t = B; t < m; ++t) *sum_eta2 += (a[t] + ea) * (a[t] + ea) + (b[t] + eb) * (b[t] + eb);
        if (clock_constant_) continue;
        x = pair_noise(true, pair, w);
        z_sampler_->draw_pair(x, a.data(), b.data(), w.ws);
        const double za = fp.sd_z * st_a[0], zb = fp.sd_z * st_b[0];
        for (std::size_t t = 0; t < m; ++t) {
            E[t * W + la] = a[t] + za;
            E[t * W + lb] = b[t] + zb;
        }
    }
    // 2. The clock sigma_z(z) and the step decay e^{-a}, a = sigma_z dt / tau_h.
    if (clock_constant_) {
        std::fill(E.begin(), E.end(), fp.e_const);
        if (need_sigma) std::fill(S.begin(), S.end(), fp.s_const);
    } else {
        if (sum_z2)
            for (std::size_t i = B * W; i < m * W; ++i) *sum_z2 += E[i] * E[i];
        const Gate gz = p_.gate_z();
        const double al = gz.alpha, be = gz.beta, c = fp.c;
        if (need_sigma) {
            for (std::size_t i = 0; i < m * W; ++i) {
                const double s = fast_gate(al, be, E[i]);
                S[i] = s;
                E[i] = detail::fast_exp(-c * s);
            }
        } else {
            for (std::size_t i = 0; i < m * W; ++i) {
                const double s = fast_gate(al, be, E[i]);
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
}

void SingleSiteSampler::forward_phi_block(std::size_t p0, const ForwardPrep& fp, BlockWork& w, const Phi& phi,
                                          double* bar, double* pc) const {
    constexpr std::size_t W = block, Q = W / 2, T = 64;
    const std::size_t m = grid_.m, B = grid_.burn, D = grid_.stride, Lc = grid_.coarse_measured();
    if (!w.pairs) w.pairs = std::make_unique<FloatPairs>(2 * Q, m);
    fftwf_complex* const* ye = w.pairs->y.data();  // eta_h of pair q
    fftwf_complex* const* yz = ye + Q;              // z of pair q
    // 1. Draw the fields of the W/2 pairs (path 2q in the real parts, 2q + 1 in the imaginary parts).
    double se[W], sz[W];  // static parts
    for (std::size_t q = 0; q < Q; ++q) {
        const std::size_t pair = p0 / 2 + q;
        const float* x = pair_noise(false, pair, w);
        eta_sampler_->draw_pair_into(x, ye[q]);
        for (std::size_t l = 2 * q; l < 2 * q + 2; ++l) se[l] = fp.sd_u * statics_[2 * (p0 + l) + 1];
        if (clock_constant_) continue;
        x = pair_noise(true, pair, w);
        z_sampler_->draw_pair_into(x, yz[q]);
        for (std::size_t l = 2 * q; l < 2 * q + 2; ++l) sz[l] = fp.sd_z * statics_[2 * (p0 + l)];
    }
    // 2. Tiles of T steps: drive, clock and step decay, h (exact exponential step), phi(h).
    const Gate gz = p_.gate_z();
    const double al = gz.alpha, be = gz.beta, c = fp.c;
    alignas(64) double u[T * W], e[T * W], hv[T * W];
    double hp[W] = {}, up[W] = {}, ep[W] = {};  // h, drive and decay of the previous step
    for (std::size_t l = 0; l < W; ++l) bar[l] = 0;
    for (std::size_t t0 = 0; t0 < m; t0 += T) {
        const std::size_t nt = std::min(T, m - t0);
        for (std::size_t i = 0; i < nt; ++i)
            for (std::size_t q = 0; q < Q; ++q) {
                const float* y = ye[q][t0 + i];
                u[i * W + 2 * q] = double(y[0]) + se[2 * q] + fp.mu;
                u[i * W + 2 * q + 1] = double(y[1]) + se[2 * q + 1] + fp.mu;
            }
        if (clock_constant_) {
            std::fill(e, e + nt * W, fp.e_const);
        } else {
            for (std::size_t i = 0; i < nt; ++i)
                for (std::size_t q = 0; q < Q; ++q) {
                    const float* y = yz[q][t0 + i];
                    e[i * W + 2 * q] = double(y[0]) + sz[2 * q];
                    e[i * W + 2 * q + 1] = double(y[1]) + sz[2 * q + 1];
                }
            for (std::size_t k = 0; k < nt * W; ++k) {
                const double s = fast_gate(al, be, e[k]);
                e[k] = detail::fast_exp(-c * s);
            }
        }
        for (std::size_t i = 0; i < nt; ++i) {
            double* h = &hv[i * W];
            const double* ui = &u[i * W];
            const double* ei = &e[i * W];
            if (t0 + i == 0) {
                for (std::size_t l = 0; l < W; ++l) h[l] = ui[l];
            } else {
                for (std::size_t l = 0; l < W; ++l) h[l] = up[l] + ep[l] * (hp[l] - up[l]);
            }
            for (std::size_t l = 0; l < W; ++l) {
                hp[l] = h[l];
                up[l] = ui[l];
                ep[l] = ei[l];
            }
        }
        if (t0 + nt <= B) continue;
        const std::size_t i0 = t0 < B ? B - t0 : 0;
        if (phi.kind == PhiKind::Tanh) {
            for (std::size_t k = i0 * W; k < nt * W; ++k) hv[k] = detail::fast_tanh(hv[k]);
        } else {
            for (std::size_t k = i0 * W; k < nt * W; ++k) hv[k] = phi(hv[k]);
        }
        for (std::size_t i = i0; i < nt; ++i) {
            const std::size_t t = t0 + i;
            for (std::size_t l = 0; l < W; ++l) bar[l] += hv[i * W + l];
            if ((t - B) % D == 0 && (t - B) / D < Lc)
                for (std::size_t l = 0; l < W; ++l) pc[l * Lc + (t - B) / D] = hv[i * W + l];
        }
    }
}

SiteMeasurement SingleSiteSampler::run(const SiteFields& f, std::size_t paths, bool full) {
    const std::size_t n = grid_.n, m = grid_.m, B = grid_.burn, L = m - B;
    const std::size_t D = grid_.stride, nc = grid_.coarse_lags(), Lc = grid_.coarse_measured();
    constexpr std::size_t W = block;
    if (paths == 0 || paths % W != 0 || paths > max_paths_)
        throw BadInput("paths", "paths must be a positive multiple of 8, <= max_paths (SingleSiteSampler::run)");
    if (f.eta_dyn.size() != n || (!clock_constant_ && f.z_dyn.size() != n))
        throw BadInput("fields", "field covariances must have n lags (SingleSiteSampler::run)");
    ensure_noise(paths);

    SiteMeasurement out;
    out.paths = paths;
    out.clipped_eta = eta_sampler_->set_covariance(f.eta_dyn);
    if (!clock_constant_) out.clipped_z = z_sampler_->set_covariance(f.z_dyn);

    const ForwardPrep fp = prepare(f);
    const Phi phi = p_.phi_fn();
    const std::size_t stride_R = std::max<std::size_t>(1, n / 8);

    const std::size_t nchunks = (paths + chunk - 1) / chunk;
    std::vector<Partial> part(nchunks);

    reserve_thread_work();
#pragma omp parallel
    {
        BlockWork& w = thread_work();
        // Padded for the coarse lags only; the power spectra of a chunk's paths are summed and inverted once.
        Autocorrelator& ac = thread_corr();
        std::vector<double> pw_phi(ac.power_size(), 0.0), pw_h(full ? ac.power_size() : 0, 0.0);
        std::vector<double>& U = w.U;
        const std::vector<double>& E = w.E;
        const std::vector<double>& H = w.H;
        const std::vector<double>& S = w.S;
        std::vector<double> R8(full ? n * W : 0);
        std::vector<double> pc(full ? 0 : W * Lc);  // phi at the coarse steps, path after path

#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks); ++ci) {
            Partial& P = part[ci];
            P.phi.assign(nc, 0.0);
            if (full) {
                P.h.assign(nc, 0.0);
                std::fill(R8.begin(), R8.end(), 0.0);
            }
            const std::size_t p_end = std::min(paths, (ci + 1) * chunk);
            // The per-path sums of phi over the measured steps, into the chunk's sums.
            auto add_phi_sums = [&](const double* bar) {
                for (std::size_t l = 0; l < W; ++l) {
                    P.sum_phi += bar[l];
                    P.sum_phibar2 += (bar[l] / double(L)) * (bar[l] / double(L));
                }
            };
            for (std::size_t p0 = ci * chunk; p0 < p_end; p0 += W) {
                if (!full) {  // the map evaluation: C_phi only, fused over time tiles
                    double bar[W];
                    forward_phi_block(p0, fp, w, phi, bar, pc.data());
                    add_phi_sums(bar);
                    for (std::size_t l = 0; l < W; ++l) ac.add_power(&pc[l * Lc], 1, pw_phi);
                    continue;
                }
                // 1-3. Fields, clock and h on W paths.
                forward_block(p0, fp, w, true, &P.sum_eta2, &P.sum_z2);
                // 4. phi(h) over the measured part (into U, no longer needed) and its lag sums.
                if (phi.kind == PhiKind::Tanh) {
                    for (std::size_t i = B * W; i < m * W; ++i) U[i] = detail::fast_tanh(H[i]);
                } else {
                    for (std::size_t i = B * W; i < m * W; ++i) U[i] = phi(H[i]);
                }
                {
                    double bar[W] = {};
                    for (std::size_t t = B; t < m; ++t)
                        for (std::size_t l = 0; l < W; ++l) bar[l] += U[t * W + l];
                    add_phi_sums(bar);
                }
                for (std::size_t l = 0; l < W; ++l) ac.add_power(&U[B * W + l], W * D, pw_phi);
                // 5. Full measurement: C_h, clock mean, and the response kernel over a set of start times.
                for (std::size_t l = 0; l < W; ++l) ac.add_power(&H[B * W + l], W * D, pw_h);
                {
                    double bar[W] = {};
                    for (std::size_t t = B; t < m; ++t)
                        for (std::size_t l = 0; l < W; ++l) bar[l] += H[t * W + l];
                    for (std::size_t l = 0; l < W; ++l) {
                        P.sum_h += bar[l];
                        P.sum_hbar2 += (bar[l] / double(L)) * (bar[l] / double(L));
                    }
                }
                for (std::size_t i = B * W; i < m * W; ++i) P.sum_sigma += S[i];
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
            ac.flush_power(pw_phi, P.phi.data(), nc - 1);
            if (full) ac.flush_power(pw_h, P.h.data(), nc - 1);
            if (full) {
                P.R8.assign(n, 0.0);
                for (std::size_t k = 0; k < n; ++k)
                    for (std::size_t l = 0; l < W; ++l) P.R8[k] += R8[k * W + l];
            }
        }
    }

    // Fixed-order reduction over chunks.
    std::vector<double> cphi(nc, 0.0);
    double sum_phi = 0, sum_phibar2 = 0;
    for (const auto& P : part) {
        for (std::size_t j = 0; j < nc; ++j) cphi[j] += P.phi[j];
        sum_phi += P.sum_phi;
        sum_phibar2 += P.sum_phibar2;
    }
    out.mean_phibar2 = sum_phibar2 / double(paths);
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
        out.mean_hbar2 += P.sum_hbar2;
        sum_sigma += P.sum_sigma;
        sum_z2 += P.sum_z2;
        sum_eta2 += P.sum_eta2;
        starts += P.starts;
    }
    for (std::size_t j = 0; j < nc; ++j) ch[j] /= double(paths) * double(Lc - j);
    out.C_h = detail::refine_lags(ch, D, n);
    for (std::size_t k = 0; k < n; ++k) out.R[k] /= starts * p_.tau_h;
    out.mean_h = sum_h / samples;
    out.mean_hbar2 /= double(paths);
    out.mean_sigma_z = sum_sigma / samples;
    out.var_z = clock_constant_ ? 0.0 : sum_z2 / samples;
    out.var_eta = sum_eta2 / samples;
    return out;
}

TangentMeasurement SingleSiteSampler::run_tangent(const SiteFields& f, const TangentFields& tf, double lambda,
                                                  std::size_t paths) {
    const std::size_t n = grid_.n, m = grid_.m, B = grid_.burn;
    const std::size_t D = grid_.stride, nc = grid_.coarse_lags(), Lc = grid_.coarse_measured();
    constexpr std::size_t W = block;
    const Gate gr = p_.gate_r(), gz = p_.gate_z();
    const bool use_yz = !clock_constant_, use_r = !gr.constant();
    if (paths == 0 || paths % W != 0 || paths > max_paths_)
        throw BadInput("paths", "paths must be a positive multiple of 8, <= max_paths (SingleSiteSampler::run_tangent)");
    ensure_noise(paths);
    if (f.eta_dyn.size() != n || (use_yz && f.z_dyn.size() != n) || tf.xi_h.size() != n ||
        (use_yz && tf.y_z.size() != n) || (use_r && (tf.r_dyn.size() != n || tf.y_r.size() != n)))
        throw BadInput("fields", "covariances must have n lags (SingleSiteSampler::run_tangent)");
    if (!std::isfinite(lambda)) throw BadInput("lambda", "lambda must be finite (SingleSiteSampler::run_tangent)");

    TangentMeasurement out;
    out.clipped = eta_sampler_->set_covariance(f.eta_dyn);
    if (use_yz) out.clipped = std::max(out.clipped, z_sampler_->set_covariance(f.z_dyn));
    if (!xi_sampler_) xi_sampler_ = std::make_unique<CirculantSampler>(m);
    out.clipped = std::max(out.clipped, xi_sampler_->set_covariance(tf.xi_h));
    if (use_yz) {
        if (!yz_sampler_) yz_sampler_ = std::make_unique<CirculantSampler>(m);
        out.clipped = std::max(out.clipped, yz_sampler_->set_covariance(tf.y_z));
    }
    if (use_r) {
        if (!r_sampler_) r_sampler_ = std::make_unique<CirculantSampler>(m);
        if (!yr_sampler_) yr_sampler_ = std::make_unique<CirculantSampler>(m);
        out.clipped = std::max(out.clipped, r_sampler_->set_covariance(tf.r_dyn));
        out.clipped = std::max(out.clipped, yr_sampler_->set_covariance(tf.y_r));
    }

    const ForwardPrep fp = prepare(f);
    const Phi phi = p_.phi_fn();
    const double tau_h = p_.tau_h, dt = grid_.dt, el = std::exp(-lambda * dt);
    const double al_z = gz.alpha, al_r = gr.alpha, be_r = gr.beta, sr0 = gr.at_zero();
    const double sd_r = std::sqrt(std::max(0.0, tf.r_static));
    const std::size_t per_pair = 2 * m;

    const std::size_t nchunks = (paths + chunk - 1) / chunk;
    std::vector<std::vector<double>> partA(nchunks), partB(nchunks);

    // Streams xi, y_z, r, y_r (the order of tangent_noise_).
    const bool use[4] = {true, use_yz, use_r, use_r};
    ensure_tangent_noise(paths / 2, use);
    reserve_thread_work();
    if (tangent_work_.size() < work_.size()) tangent_work_.resize(work_.size());
#pragma omp parallel
    {
        BlockWork& w = thread_work();
        Autocorrelator& ac = thread_corr();
        auto& tw_slot = tangent_work_[static_cast<std::size_t>(omp_get_thread_num())];
        if (!tw_slot) tw_slot = std::make_unique<TangentWork>(m, use_yz, use_r);
        TangentWork& tw = *tw_slot;
        std::vector<double> pwA(ac.power_size(), 0.0), pwB(use_r ? ac.power_size() : 0, 0.0);
        std::vector<double>&a = w.a, &b = w.b, &Xi = tw.Xi, &Y = tw.Y, &As = tw.As;
        std::vector<double>&Yz = tw.Yz, &R = tw.R, &Yr = tw.Yr, &Bs = tw.Bs;
        constexpr std::uint64_t tags[4] = {tag_xi, tag_yz, tag_r, tag_yr};
        auto draw = [&](CirculantSampler& smp, int stream, std::size_t pair, std::size_t la, std::vector<double>& dst,
                        double sd_static) {
            const float* noise = keyed_pair(tangent_noise_[stream].data.get(), seed_, tags[stream], pair, per_pair + 2,
                                            tw.noise.data());
            smp.draw_pair(noise, a.data(), b.data(), w.ws);
            const double sa = sd_static * noise[per_pair], sb = sd_static * noise[per_pair + 1];
            for (std::size_t t = 0; t < m; ++t) {
                dst[t * W + la] = a[t] + sa;
                dst[t * W + la + 1] = b[t] + sb;
            }
        };

#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks); ++ci) {
            std::vector<double>& PA = partA[ci];
            std::vector<double>& PB = partB[ci];
            PA.assign(nc, 0.0);
            if (use_r) PB.assign(nc, 0.0);
            const std::size_t p_end = std::min(paths, (ci + 1) * chunk);
            for (std::size_t p0 = ci * chunk; p0 < p_end; p0 += W) {
                forward_block(p0, fp, w, true, nullptr, nullptr);
                const std::vector<double>&U = w.U, &E = w.E, &H = w.H, &S = w.S;
                for (std::size_t q = 0; q < W / 2; ++q) {
                    const std::size_t pair = p0 / 2 + q;
                    draw(*xi_sampler_, 0, pair, 2 * q, Xi, 0.0);
                    if (use_yz) draw(*yz_sampler_, 1, pair, 2 * q, Yz, 0.0);
                    if (use_r) {
                        draw(*r_sampler_, 2, pair, 2 * q, R, sd_r);
                        draw(*yr_sampler_, 3, pair, 2 * q, Yr, 0.0);
                    }
                }
                // Tangent step: kappa = lambda + sigma/tau_h, decay e^{-kappa dt} = E e^{-lambda dt},
                // gain (1 - e^{-kappa dt}) / kappa (-> dt as kappa dt -> 0). Both forms of the gain are
                // computed and one selected, and the options are template constants, so that the loop over
                // the W paths vectorises (with branches it ran scalar).
                for (std::size_t l = 0; l < W; ++l) Y[l] = 0.0;
                auto tangent_steps = [&](auto with_yz) {
                    const double* __restrict Sp = S.data();
                    const double* __restrict Ep = E.data();
                    const double* __restrict Xp = Xi.data();
                    const double* __restrict Zp = Yz.data();
                    const double* __restrict Up = U.data();
                    const double* __restrict Hp = H.data();
                    double* __restrict Yp = Y.data();
                    for (std::size_t t = 0; t + 1 < m; ++t) {
                        const std::size_t o = t * W;
                        double next[W];
                        for (std::size_t l = 0; l < W; ++l) {
                            const double s = Sp[o + l], kappa = lambda + s / tau_h, x = kappa * dt;
                            const double d = Ep[o + l] * el;
                            const bool small = std::abs(x) < 1e-4;
                            const double series = dt * (1 - x / 2 + x * x / 6);
                            const double exact = (1 - d) / (small ? 1.0 : kappa);
                            const double g = small ? series : exact;
                            double drive = (s / tau_h) * Xp[o + l];
                            if constexpr (decltype(with_yz)::value)
                                drive += (al_z * s * (1 - s) / tau_h) * Zp[o + l] * (Up[o + l] - Hp[o + l]);
                            next[l] = Yp[o + l] * d + g * drive;
                        }
                        for (std::size_t l = 0; l < W; ++l) Yp[o + W + l] = next[l];
                    }
                };
                if (use_yz) tangent_steps(std::true_type{});
                else tangent_steps(std::false_type{});
                // Measured series a = phi'(h) y_h and b = sigma_r(r) a + sigma_r'(r) phi(h) y_r.
                auto measure = [&](auto tanh_phi, auto with_r) {
                    for (std::size_t i = B * W; i < m * W; ++i) {
                        double ph, dph;
                        if constexpr (decltype(tanh_phi)::value) {
                            ph = detail::fast_tanh(H[i]);
                            dph = 1 - ph * ph;
                        } else {
                            ph = phi(H[i]);
                            dph = phi.deriv(H[i]);
                        }
                        As[i] = dph * Y[i];
                        if constexpr (decltype(with_r)::value) {
                            const double sr = fast_gate(al_r, be_r, R[i]);
                            Bs[i] = sr * As[i] + al_r * sr * (1 - sr) * ph * Yr[i];
                        }
                    }
                };
                const bool tanh_phi = phi.kind == PhiKind::Tanh;
                if (tanh_phi && use_r) measure(std::true_type{}, std::true_type{});
                else if (tanh_phi) measure(std::true_type{}, std::false_type{});
                else if (use_r) measure(std::false_type{}, std::true_type{});
                else measure(std::false_type{}, std::false_type{});
                for (std::size_t l = 0; l < W; ++l) {
                    ac.add_power(&As[B * W + l], W * D, pwA);
                    if (use_r) ac.add_power(&Bs[B * W + l], W * D, pwB);
                }
            }
            ac.flush_power(pwA, PA.data(), nc - 1);
            if (use_r) ac.flush_power(pwB, PB.data(), nc - 1);
        }
    }
    std::vector<double> ca(nc, 0.0), cb(use_r ? nc : 0, 0.0);
    for (std::size_t ci = 0; ci < nchunks; ++ci) {
        for (std::size_t j = 0; j < nc; ++j) ca[j] += partA[ci][j];
        if (use_r)
            for (std::size_t j = 0; j < nc; ++j) cb[j] += partB[ci][j];
    }
    for (std::size_t j = 0; j < nc; ++j) {
        ca[j] /= double(paths) * double(Lc - j);
        if (use_r) cb[j] /= double(paths) * double(Lc - j);
    }
    out.A = detail::refine_lags(ca, D, n);
    if (use_r) {
        out.B = detail::refine_lags(cb, D, n);
    } else {
        out.B = out.A;
        for (double& v : out.B) v *= sr0 * sr0;
    }
    return out;
}

ForwardPaths SingleSiteSampler::forward_paths(const SiteFields& f, std::size_t paths, std::size_t length) {
    const std::size_t n = grid_.n, m = grid_.m, B = grid_.burn;
    constexpr std::size_t W = block;
    if (paths == 0 || paths % W != 0 || paths > max_paths_)
        throw BadInput("paths", "paths must be a positive multiple of 8, <= max_paths (SingleSiteSampler::forward_paths)");
    if (length == 0 || length > m - B)
        throw BadInput("length", "must be in [1, m - burn] (SingleSiteSampler::forward_paths)");
    if (f.eta_dyn.size() != n || (!clock_constant_ && f.z_dyn.size() != n))
        throw BadInput("fields", "field covariances must have n lags (SingleSiteSampler::forward_paths)");
    ensure_noise(paths);

    ForwardPaths out;
    out.paths = paths;
    out.length = length;
    out.clipped_eta = eta_sampler_->set_covariance(f.eta_dyn);
    if (!clock_constant_) out.clipped_z = z_sampler_->set_covariance(f.z_dyn);
    out.h.resize(length * paths);
    out.sigma_z.resize(length * paths);
    out.drive.resize(length * paths);
    const ForwardPrep fp = prepare(f);
    const std::size_t nblocks = paths / W;
    reserve_thread_work();
#pragma omp parallel
    {
        BlockWork& w = thread_work();
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t bi = 0; bi < static_cast<std::ptrdiff_t>(nblocks); ++bi) {
            const std::size_t p0 = std::size_t(bi) * W;
            forward_block(p0, fp, w, true, nullptr, nullptr);
            for (std::size_t t = 0; t < length; ++t)
                for (std::size_t l = 0; l < W; ++l) {
                    const std::size_t src = (B + t) * W + l, dst = t * paths + p0 + l;
                    out.h[dst] = w.H[src];
                    out.sigma_z[dst] = w.S[src];
                    out.drive[dst] = w.U[src];
                }
        }
    }
    return out;
}

}  // namespace gdmft
