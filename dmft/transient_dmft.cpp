// The transient (two-time) DMFT: see dmft/transient_dmft.hpp for the equations and the method.
#include "dmft/transient_dmft.hpp"

#include "dmft/solve.hpp"
#include "dmft/transient_gate_rows.hpp"
#include "dmft/waiting_time_probe.hpp"
#include "numerics/circulant_sampler.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"
#include "numerics/gaussian_process.hpp"
#include "numerics/log_memory.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"
#include "numerics/timescales.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <utility>

namespace gdmft {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kChunk = 64;  // paths per fixed reduction chunk
constexpr std::uint64_t tag_xh = 0x7101, tag_xz = 0x7102, tag_init = 0x7103, tag_xr = 0x7104;

// Time grid: t_k = t_start + k dt, k = 0..n-1; reported window from k_window; pulse (t = 0) at k0.
struct Layout {
    std::size_t n = 0, k_window = 0, k0 = 0;
    double dt = 0, t_start = 0;
    double time(std::size_t k) const { return dt * (double(k) - double(k0)); }
};

// Rows of the burn-in, the lead-in and the horizon for a burn-in t_burn.
struct RowCounts {
    std::size_t burn = 0, before = 0, horizon = 0;
};
RowCounts row_counts(const TransientGrid& g, double t_burn) {
    RowCounts r;
    r.burn = static_cast<std::size_t>(std::ceil(t_burn / g.dt - 1e-9));
    r.before = static_cast<std::size_t>(std::llround(g.t_before / g.dt));
    r.horizon = static_cast<std::size_t>(std::max<long long>(1, std::llround(g.horizon / g.dt)));
    return r;
}

// One-time marginals at t_start. With `with_input`, h is centred on the quenched input I (plus
// mean_h - mu), else h ~ N(mean_h, var_h) independently of I.
struct StartState {
    bool with_input = true;
    double mean_h = 0, var_h = 0, mean_z = 0, var_z = 0, mean_r = 0, var_r = 0;
};

// Per-set measurements on the whole grid (n points).
struct SetMeasure {
    std::vector<double> mean_h, var_h, mean_phi, var_phi, mean_sigma_z, mean_sigma_r, R;
    std::vector<double> C;  // n x n raw C_phi (symmetric, full)
    std::vector<std::vector<double>> h_products;  // waiting-time probe: [w][k] raw <h(t_k) h(t_w)>
    double clipped = 0, active_fraction = 0;
    double field_ratio = nan_v;  // log grid: mean path variance of the field / C_phi(t,t) over the last tenth
    std::size_t memory_rows = 0; // rows the fields were conditioned on at most (n on the uniform grid)
    bool finite = true;
};

// The single site on M paths for one random set: the causal march and the batch map.
class SiteRun {
public:
    // log_memory: {recent, per_octave} of the log-spaced memory, or {0, 0} for the uniform grid.
    SiteRun(const ModelParams& p, const GateDrive& d, const Layout& L, std::size_t M, std::uint64_t set_seed,
            const StartState& st, double pivot_floor, double jitter, std::vector<std::size_t> probe_rows,
            std::array<std::size_t, 2> log_memory = {0, 0}, bool match_moments = true)
        : p_(p), d_(d), L_(L), M_(M), seed_(set_seed), st_(st), floor_(pivot_floor), jitter_(jitter),
          probe_(std::move(probe_rows), L.n, M),
          clock_dyn_(p.alpha_z != 0 && (p.g_z != 0 || d.amp_z != 0)), r_dyn_(p.alpha_r != 0),
          zf_(detail::FilterStep::make(L.dt, p.tau_z)), rf_(detail::FilterStep::make(L.dt, p.tau_r)),
          nchunks_((M + kChunk - 1) / kChunk), log_(log_memory), match_(match_moments) {
        // The uniform grid keeps phi and the noise of every row; the log grid draws each row's noise
        // from the same keyed streams when it is needed and keeps phi in its memory.
        const std::size_t rows = log_grid() ? 1 : L.n;
        phi_.assign(rows * M, 0.0);
        xh_.assign(rows * M, 0.0f);
        if (clock_dyn_) xz_.assign(rows * M, 0.0f);
        if (!log_grid())
            for (std::size_t k = 0; k < L.n; ++k) fill_noise(k, k);
        bz_.resize(L.n);
        for (std::size_t k = 0; k < L.n; ++k) bz_[k] = d.b_z(L.time(k));
        if (log_grid() && r_dyn_) {  // the gate sampled on the paths (march_log)
            xr_.assign(M, 0.0f);
            br_.resize(L.n);
            for (std::size_t k = 0; k < L.n; ++k) br_[k] = d.b_r(L.time(k));
            r_.resize(M), erp_.resize(M), f_.resize(M);
        }
        h_.resize(M), z_.resize(M), ezp_.resize(M), I_.resize(M), P_.resize(M);
        part_.resize(nchunks_);
    }

    // Causal march on the log grid: each row's fields drawn conditionally on the log-spaced memory
    // (numerics/log_memory.hpp), with the noise of the uniform grid's march (the same keyed streams).
    // Constant output gate: eta_h and eta_z share the covariance of phi (one process, two fields).
    // Dynamic output gate: the gate is sampled on the paths instead of averaged. eta_z and eta_r come
    // from the process of phi; r is filtered from eta_r on each path, and eta_h from a second process
    // whose features are sigma_r(r) phi(h), so its covariance is g_h^2 <sigma_r phi sigma_r phi> =
    // g_h^2 C_sr C_phi (r is independent of h at the single site), measured on the paths like C_phi.
    SetMeasure march_log(Progress* prog, double progress_base) {
        const std::size_t n = L_.n, M = M_;
        SetMeasure out = make_measure();
        start_paths();
        std::vector<double> uh(M), uz(clock_dyn_ ? M : 0), ur(r_dyn_ ? M : 0), eh(M), ez(clock_dyn_ ? M : 0);
        // Fields of the process of phi, and of sigma_r phi when the gate is dynamic.
        std::vector<const float*> noise_phi, noise_h;
        std::vector<double*> fields_phi, fields_h;
        if (r_dyn_)
            noise_h.push_back(xh_.data()), fields_h.push_back(uh.data());
        else
            noise_phi.push_back(xh_.data()), fields_phi.push_back(uh.data());
        if (clock_dyn_) noise_phi.push_back(xz_.data()), fields_phi.push_back(uz.data());
        if (r_dyn_) noise_phi.push_back(xr_.data()), fields_phi.push_back(ur.data());
        LogMemoryProcess proc(M, fields_phi.size(), log_[0], log_[1], jitter_, match_);
        std::optional<LogMemoryProcess> proc_h;
        if (r_dyn_) proc_h.emplace(M, 1, log_[0], log_[1], jitter_, match_);
        LogMemoryProcess& of_h = r_dyn_ ? *proc_h : proc;  // the process that draws eta_h
        double ratio_sum = 0;
        std::size_t ratio_count = 0;
        const double sh = r_dyn_ ? p_.g_h : p_.g_h * p_.gate_r().at_zero(), sr0 = p_.gate_r().at_zero();
        for (std::size_t k = 0; k < n; ++k) {
            observe(k, out);
            fill_noise(k, 0);
            const double ckk = proc.step(phi_.data(), noise_phi, fields_phi);
            if (r_dyn_) {
                out.mean_sigma_r[k] = gate_features(k, ur.data());
                of_h.step(f_.data(), noise_h, fields_h);
            } else {
                out.mean_sigma_r[k] = sr0;
            }
            if (10 * k >= 9 * n) ratio_sum += of_h.path_variance_ratio(), ++ratio_count;
            out.var_phi[k] = ckk - out.mean_phi[k] * out.mean_phi[k];
            for (std::size_t q = 0; q < M; ++q) eh[q] = sh * uh[q];
            if (clock_dyn_)
                for (std::size_t q = 0; q < M; ++q) ez[q] = p_.g_z * uz[q];
            if (!advance(k, eh.data(), ez.data(), out)) {
                out.finite = false;
                return out;
            }
            if (prog && k % 256 == 0) prog->update(progress_base + double(k) / double(n));
        }
        out.clipped = std::max(proc.clipped_weight(), r_dyn_ ? proc_h->clipped_weight() : 0.0);
        out.active_fraction = nan_v;
        out.field_ratio = ratio_count > 0 ? ratio_sum / double(ratio_count) : nan_v;
        out.h_products = probe_.products();
        out.memory_rows = std::max(proc.max_rows(), r_dyn_ ? proc_h->max_rows() : std::size_t(0));
        return out;
    }

    // Log grid, dynamic output gate: r(t_k) on every path from the unit field ur (eta_r = g_r ur), with
    // the exponential step of the gate filter (tau_r = 0: r = eta_r + b_r), and the features
    // sigma_r(r) phi(h) of eta_h's process into f_. Returns the path mean of sigma_r(r(t_k)).
    double gate_features(std::size_t k, const double* ur) {
        const Gate gr = p_.gate_r();
        const bool instant = p_.tau_r == 0;
        const double brk = br_[k], brp = k > 0 ? br_[k - 1] : br_[0];
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks_); ++ci) {
            const std::size_t p0 = std::size_t(ci) * kChunk, p1 = std::min(M_, p0 + kChunk);
            double part = 0;
            for (std::size_t q = p0; q < p1; ++q) {
                const double e = p_.g_r * ur[q];
                double r;
                if (instant)
                    r = e + brk;
                else
                    r = k == 0 ? r_[q] : rf_.a * r_[q] + rf_.c0 * (erp_[q] + brp) + rf_.c1 * (e + brk);
                r_[q] = r;
                erp_[q] = e;
                const double s = gr(r);
                f_[q] = s * phi_[q];
                part += s;
            }
            part_[ci] = {part, 0.0, 0.0, 0.0};
        }
        double sum = 0;  // fixed order: independent of the thread count
        for (const auto& q : part_) sum += q[0];
        return sum / double(M_);
    }

    // Causal march: the fixed point of the map for this set's random numbers.
    SetMeasure march(Progress* prog, double progress_base) {
        const std::size_t n = L_.n, M = M_;
        SetMeasure out = make_measure();
        start_paths();
        detail::TransientGateRows gr(p_, d_, L_.t_start, L_.dt, n, st_.mean_r, st_.var_r);
        CausalCholesky Lphi(n, floor_, jitter_);
        CausalCholesky Lh(r_dyn_ ? n : 0, floor_, jitter_);
        std::vector<double> c(n), prev(n), csr(n), a(n), eh(M), ez(clock_dyn_ ? M : 0);
        const double sr0 = p_.gate_r().at_zero();
        for (std::size_t k = 0; k < n; ++k) {
            observe(k, out);
            gram_row(k, c.data());
            for (std::size_t j = 0; j <= k; ++j) out.C[k * n + j] = out.C[j * n + k] = c[j];
            out.var_phi[k] = c[k] - out.mean_phi[k] * out.mean_phi[k];
            Lphi.append(c.data());
            if (r_dyn_) {
                gr.row(k, c.data(), prev.data(), csr.data());
                for (std::size_t j = 0; j <= k; ++j) a[j] = p_.g_h * p_.g_h * csr[j] * c[j];
                Lh.append(a.data());
                draw(Lh.row(k), k, xh_, 1.0, eh.data());
            } else {
                draw(Lphi.row(k), k, xh_, p_.g_h * sr0, eh.data());
            }
            out.mean_sigma_r[k] = r_dyn_ ? gr.mean_sigma(k) : sr0;
            if (clock_dyn_) draw(Lphi.row(k), k, xz_, p_.g_z, ez.data());
            if (!advance(k, eh.data(), ez.data(), out)) {
                out.finite = false;
                return out;
            }
            std::swap(prev, c);
            if (prog && k % 64 == 0) prog->update(progress_base + double(k) / double(n));
        }
        out.clipped = std::max(Lphi.clipped_weight(), r_dyn_ ? Lh.clipped_weight() : 0.0);
        out.active_fraction = double(r_dyn_ ? Lh.active_pivots() : Lphi.active_pivots()) / double(n);
        out.h_products = probe_.products();
        out.memory_rows = n;
        return out;
    }

    // Batch map F(C): factor the whole covariance, draw every field by matrix products, integrate, and
    // measure C_phi by a Gram product. Independent of the march except for the path update itself.
    SetMeasure apply(const std::vector<double>& C) {
        const std::size_t n = L_.n, M = M_;
        SetMeasure out = make_measure();
        detail::TransientGateRows gr(p_, d_, L_.t_start, L_.dt, n, st_.mean_r, st_.var_r);
        CausalCholesky Lphi(n, floor_, jitter_);
        CausalCholesky Lh(r_dyn_ ? n : 0, floor_, jitter_);
        std::vector<double> csr(n), a(n);
        for (std::size_t k = 0; k < n; ++k) {
            const double* c = &C[k * n];
            Lphi.append(c);
            if (r_dyn_) {
                gr.row(k, c, k > 0 ? &C[(k - 1) * n] : c, csr.data());
                for (std::size_t j = 0; j <= k; ++j) a[j] = p_.g_h * p_.g_h * csr[j] * c[j];
                Lh.append(a.data());
            }
            out.mean_sigma_r[k] = r_dyn_ ? gr.mean_sigma(k) : p_.gate_r().at_zero();
        }
        const double sh = r_dyn_ ? 1.0 : p_.g_h * p_.gate_r().at_zero();
        const Eigen::MatrixXd Fh = sh * dense(r_dyn_ ? Lh : Lphi);
        const Eigen::MatrixXd Fz = clock_dyn_ ? Eigen::MatrixXd(p_.g_z * dense(Lphi)) : Eigen::MatrixXd();
        // Fields of all paths, in fixed column blocks (thread-count independent).
        using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        const Eigen::Map<const RowMatF> Xh(xh_.data(), n, M);
        const Eigen::Map<const RowMatF> Xz(clock_dyn_ ? xz_.data() : xh_.data(), n, M);
        RowMat Eh(n, M), Ez(clock_dyn_ ? n : 0, clock_dyn_ ? M : 0);
        const std::size_t B = 256, nb = (M + B - 1) / B;
#pragma omp parallel for schedule(dynamic, 1)
        for (std::ptrdiff_t b = 0; b < static_cast<std::ptrdiff_t>(nb); ++b) {
            const std::size_t p0 = std::size_t(b) * B, w = std::min(B, M - p0);
            const auto cols = [&](auto& X) { return X.middleCols(p0, w); };
            Eh.middleCols(p0, w).noalias() = Fh.triangularView<Eigen::Lower>() * cols(Xh).template cast<double>();
            if (clock_dyn_)
                Ez.middleCols(p0, w).noalias() = Fz.triangularView<Eigen::Lower>() * cols(Xz).template cast<double>();
        }
        start_paths();
        for (std::size_t k = 0; k < n; ++k) {
            observe(k, out);
            if (!advance(k, &Eh(k, 0), clock_dyn_ ? &Ez(k, 0) : nullptr, out)) {
                out.finite = false;
                return out;
            }
        }
        const Eigen::Map<const RowMat> Phi(phi_.data(), n, M);
        Eigen::Map<RowMat> Cn(out.C.data(), n, n);
        const std::size_t RB = 128, nr = (n + RB - 1) / RB;
#pragma omp parallel for schedule(dynamic, 1)
        for (std::ptrdiff_t b = 0; b < static_cast<std::ptrdiff_t>(nr); ++b) {
            const std::size_t r0 = std::size_t(b) * RB, w = std::min(RB, n - r0);
            Cn.middleRows(r0, w).noalias() = Phi.middleRows(r0, w) * Phi.transpose() / double(M);
        }
        for (std::size_t k = 0; k < n; ++k) out.var_phi[k] = Cn(k, k) - out.mean_phi[k] * out.mean_phi[k];
        out.clipped = std::max(Lphi.clipped_weight(), r_dyn_ ? Lh.clipped_weight() : 0.0);
        out.active_fraction = double(r_dyn_ ? Lh.active_pivots() : Lphi.active_pivots()) / double(n);
        out.h_products = probe_.products();
        return out;
    }

private:
    bool log_grid() const { return log_[0] > 0; }

    SetMeasure make_measure() const {
        SetMeasure m;
        const std::size_t n = L_.n;
        for (auto* v : {&m.mean_h, &m.var_h, &m.mean_phi, &m.var_phi, &m.mean_sigma_z, &m.mean_sigma_r, &m.R}) v->assign(n, 0.0);
        if (!log_grid()) m.C.assign(n * n, 0.0);
        return m;
    }

    static Eigen::MatrixXd dense(const CausalCholesky& L) {
        const std::size_t n = L.rows();
        Eigen::MatrixXd D = Eigen::MatrixXd::Zero(n, n);
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t j = 0; j <= k; ++j) D(k, j) = L.row(k)[j];
        return D;
    }

    // Initial state: the stationary one-time marginals, independent of the fields that follow.
    void start_paths() {
        const double mu = p_.input_mean, s = p_.input_std;
        const double sd_h = std::sqrt(std::max(0.0, st_.var_h - (st_.with_input ? s * s : 0.0)));
        const double sd_z = std::sqrt(std::max(0.0, st_.var_z));
        const double sd_r = std::sqrt(std::max(0.0, st_.var_r));
        for (std::size_t p = 0; p < M_; ++p) {
            // The fourth number (r on the log grid) extends the same stream: the first three do not change.
            const bool r_paths = !r_.empty();
            double x[4];
            WhiteNoise::fill(stream_key(seed_, tag_init, p), x, r_paths ? 4 : 3);
            I_[p] = mu + s * x[0];
            h_[p] = (st_.with_input ? I_[p] - mu : 0.0) + st_.mean_h + sd_h * x[1];
            z_[p] = st_.mean_z + sd_z * x[2];
            if (r_paths) r_[p] = st_.mean_r + sd_r * x[3], erp_[p] = 0.0;
            ezp_[p] = 0.0;
            P_[p] = 0.0;
        }
        if (probe_.active()) probe_.reset();
    }

    // The white noise of row k into storage row `slot`.
    void fill_noise(std::size_t k, std::size_t slot) {
        WhiteNoise::fill(stream_key(seed_, tag_xh, k), &xh_[slot * M_], M_);
        if (clock_dyn_) WhiteNoise::fill(stream_key(seed_, tag_xz, k), &xz_[slot * M_], M_);
        if (!xr_.empty()) WhiteNoise::fill(stream_key(seed_, tag_xr, k), xr_.data(), M_);
    }

    // phi(h(t_k)) into row k (row 0 on the log grid), and the one-time means at t_k.
    void observe(std::size_t k, SetMeasure& out) {
        const Phi phi = p_.phi_fn();
        double* row = &phi_[(log_grid() ? 0 : k) * M_];
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks_); ++ci) {
            const std::size_t p0 = std::size_t(ci) * kChunk, p1 = std::min(M_, p0 + kChunk);
            double sh = 0, sh2 = 0, sp = 0;
            for (std::size_t p = p0; p < p1; ++p) {
                const double h = h_[p], f = phi(h);
                row[p] = f;
                sh += h;
                sh2 += h * h;
                sp += f;
            }
            part_[ci] = {sh, sh2, sp, 0.0};
        }
        double sh = 0, sh2 = 0, sp = 0;
        for (const auto& q : part_) sh += q[0], sh2 += q[1], sp += q[2];
        const double M = double(M_);
        out.mean_h[k] = sh / M;
        out.var_h[k] = sh2 / M - (sh / M) * (sh / M);
        out.mean_phi[k] = sp / M;
        if (probe_.active()) probe_.observe(k, h_.data());
    }

    // c[j] = (1/M) sum_p phi_p(t_k) phi_p(t_j), j = 0..k.
    void gram_row(std::size_t k, double* c) const {
        const Eigen::Map<const Eigen::VectorXd> rk(&phi_[k * M_], static_cast<Eigen::Index>(M_));
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t j = 0; j <= static_cast<std::ptrdiff_t>(k); ++j)
            c[j] = rk.dot(Eigen::Map<const Eigen::VectorXd>(&phi_[std::size_t(j) * M_], static_cast<Eigen::Index>(M_))) /
                   double(M_);
    }

    // out_p = scale * sum_{j<=k} l[j] X(j, p): the field at t_k on every path.
    void draw(const double* l, std::size_t k, const std::vector<float>& X, double scale, double* out) const {
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks_); ++ci) {
            const std::size_t p0 = std::size_t(ci) * kChunk, w = std::min(M_, p0 + kChunk) - p0;
            double acc[kChunk] = {};
            for (std::size_t j = 0; j <= k; ++j) {
                const double lj = l[j];
                if (lj == 0.0) continue;
                const float* x = &X[j * M_ + p0];
                for (std::size_t q = 0; q < w; ++q) acc[q] += lj * double(x[q]);
            }
            for (std::size_t q = 0; q < w; ++q) out[p0 + q] = scale * acc[q];
        }
    }

    // z(t_k), the clock, the readout, and h(t_{k+1}). Returns false on a non-finite state.
    bool advance(std::size_t k, const double* eh, const double* ez, SetMeasure& out) {
        const Gate gz = p_.gate_z();
        const double s_const = gz.at_zero(), c = L_.dt / p_.tau_h, tau_h = p_.tau_h;
        const bool instant_z = p_.tau_z == 0;
        const double bzk = bz_[k], bzp = k > 0 ? bz_[k - 1] : bz_[0];
        const std::size_t k0 = L_.k0;
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks_); ++ci) {
            const std::size_t p0 = std::size_t(ci) * kChunk, p1 = std::min(M_, p0 + kChunk);
            double ss = 0, sr = 0, bad = 0;
            for (std::size_t p = p0; p < p1; ++p) {
                double s = s_const;
                if (clock_dyn_) {
                    double z;
                    if (instant_z)
                        z = ez[p] + bzk;
                    else
                        z = k == 0 ? z_[p] : zf_.a * z_[p] + zf_.c0 * (ezp_[p] + bzp) + zf_.c1 * (ez[p] + bzk);
                    z_[p] = z;
                    ezp_[p] = ez[p];
                    s = gz(z);
                }
                const double e = std::exp(-s * c);
                ss += s;
                if (k == k0) P_[p] = s / tau_h;
                if (k >= k0) {
                    sr += P_[p];
                    P_[p] *= e;
                }
                const double u = eh[p] + I_[p];
                const double h = u + e * (h_[p] - u);
                h_[p] = h;
                if (!std::isfinite(h)) bad += 1;
            }
            part_[ci] = {ss, sr, bad, 0.0};
        }
        double ss = 0, sr = 0, bad = 0;
        for (const auto& q : part_) ss += q[0], sr += q[1], bad += q[2];
        out.mean_sigma_z[k] = ss / double(M_);
        out.R[k] = sr / double(M_);
        return bad == 0;
    }

    const ModelParams& p_;
    const GateDrive& d_;
    Layout L_;
    std::size_t M_;
    std::uint64_t seed_;
    StartState st_;
    double floor_, jitter_;
    detail::WaitingTimeProbe probe_;
    bool clock_dyn_, r_dyn_;
    detail::FilterStep zf_, rf_;
    std::size_t nchunks_;
    std::array<std::size_t, 2> log_;  // log grid {recent, per_octave}; {0, 0}: uniform
    bool match_;                       // log grid: matched noise (numerics/log_memory.hpp)
    std::vector<double> phi_;        // n x M, time-major (log grid: the current row)
    std::vector<float> xh_, xz_;     // white noise behind eta_h and eta_z, n x M (log grid: the current row)
    std::vector<double> bz_;         // b_z on the grid
    std::vector<double> h_, z_, ezp_, I_, P_;
    // Log grid with a dynamic output gate: b_r on the grid, r and eta_r on the paths, sigma_r(r) phi(h).
    std::vector<double> br_, r_, erp_, f_;
    std::vector<float> xr_;  // white noise behind eta_r (the current row)
    std::vector<std::array<double, 4>> part_;
};

double rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return den > 0 ? std::sqrt(num / den) : std::numeric_limits<double>::infinity();
}

// Stationary R(tau) interpolated at tau (NaN beyond its window).
double stationary_R(const StationaryResult& s, double tau) {
    if (s.tau.empty() || tau < 0 || tau > s.tau.back()) return nan_v;
    const auto it = std::upper_bound(s.tau.begin(), s.tau.end(), tau);
    if (it == s.tau.end()) return s.R.back();
    const std::size_t i = static_cast<std::size_t>(it - s.tau.begin());
    if (i == 0) return s.R[0];
    const double w = (tau - s.tau[i - 1]) / (s.tau[i] - s.tau[i - 1]);
    return (1 - w) * s.R[i - 1] + w * s.R[i];
}

// Automatic burn-in: several correlation times of the stationary state, at least 20 effective time
// constants (the relaxation of the self-consistent process from the one-time marginals).
double automatic_burn(const ModelParams& p, const StationaryResult& s) {
    const double tc = std::isfinite(s.tau_corr) ? s.tau_corr : p.tau_eff();
    return std::max(20 * p.tau_eff(), 3 * tc);
}

// C_h(t_w + tau, t_w) per random set from the probe's products (connected with the one-time means),
// and the equal-time variance on log-spaced times to the last lag of the last waiting time.
AgingResult aging_from_sets(const std::vector<SetMeasure>& sets, const std::vector<std::size_t>& rows,
                            const std::vector<double>& lags, double dt, int random_sets) {
    const std::size_t k_last = rows.back() + static_cast<std::size_t>(std::llround(lags.back() / dt));
    const std::vector<double> times = log_step_grid(dt, dt * double(k_last), static_cast<int>(lags.size()), dt);
    std::vector<AgingSample> samples;
    for (const SetMeasure& m : sets) {
        AgingSample a;
        for (std::size_t w = 0; w < rows.size(); ++w) {
            const std::size_t kw = rows[w];
            std::vector<double> c, c_end;
            for (double tau : lags) {
                const std::size_t k = kw + static_cast<std::size_t>(std::llround(tau / dt));
                c.push_back(m.h_products[w][k] - m.mean_h[k] * m.mean_h[kw]);
                c_end.push_back(m.var_h[k]);
            }
            a.C.push_back(std::move(c));
            a.C_end.push_back(std::move(c_end));
        }
        for (double t : times) a.C_tt.push_back(m.var_h[static_cast<std::size_t>(std::llround(t / dt))]);
        samples.push_back(std::move(a));
    }
    std::vector<double> tw;
    for (std::size_t k : rows) tw.push_back(dt * double(k));
    AgingResult r = summarize_aging(tw, lags, times, samples);
    r.N = 0;
    r.networks = random_sets;
    r.samples_over = "random sets";
    r.seconds = nan_v;  // part of the transient's run, not timed apart
    return r;
}

// The waiting times and lags must end on the grid, which ends at t_end since the start.
void check_aging_range(const AgingGrid& a, double t_end) {
    const double tw = a.waiting_times.back();
    if (!(tw < t_end))
        throw BadInput("waiting_times", "the largest waiting time must come before the end of the grid at t = " + fmt("%g", t_end) +
                                            " since the start (t_burn + t_before + horizon)");
    if (a.max_lag > 0 && tw + a.max_lag > t_end * (1 + 1e-12))
        throw BadInput("max_lag", "max(t_w) + max_lag = " + fmt("%g", tw + a.max_lag) + " is beyond the end of the grid at t = " +
                                      fmt("%g", t_end) + " since the start: raise horizon (or lower max_lag)");
}

}  // namespace

void TransientOptions::validate() const {
    const auto& g = grid;
    if (!(std::isfinite(g.dt) && g.dt > 0)) throw BadInput("dt", "time step must be a finite number > 0");
    if (g.dt > 0.5) throw BadInput("dt", "must be <= 0.5 tau_h (the exponential step holds the fields for one step)");
    if (!(std::isfinite(g.t_before) && g.t_before >= 0)) throw BadInput("t_before", "must be a finite number >= 0");
    if (!(std::isfinite(g.horizon) && g.horizon > 0)) throw BadInput("horizon", "must be a finite number > 0");
    if (!(std::isfinite(g.t_burn) && g.t_burn >= 0)) throw BadInput("t_burn", "must be >= 0 (0 = automatic)");
    if (paths < 16) throw BadInput("paths", "need at least 16 sample paths");
    if (random_sets < 1) throw BadInput("random_sets", "must be >= 1");
    if (!(std::isfinite(tol) && tol > 0)) throw BadInput("tol", "tolerance must be a finite number > 0");
    if (max_iterations < 1) throw BadInput("max_iter", "must be >= 1");
    if (!(pivot_floor >= 0 && pivot_floor < 1e-3)) throw BadInput("pivot_floor", "must be in [0, 1e-3)");
    if (!(jitter >= 0 && jitter < 1e-2)) throw BadInput("jitter", "must be in [0, 1e-2)");
    const double n = (g.t_burn + g.t_before + g.horizon) / g.dt;
    if (g.kind == TwoTimeGrid::Uniform && n > 20000)
        throw BadInput("dt", "the uniform grid would have more than 20000 points: raise dt, shorten the window, or use grid = log");
    if (g.kind == TwoTimeGrid::Log) {
        if (g.recent < 1) throw BadInput("grid_recent", "must be an integer >= 1");
        if (g.per_octave < 1) throw BadInput("grid_per_octave", "must be an integer >= 1");
        if (n > 2e6) throw BadInput("dt", "the log grid would have more than 2e6 steps: raise dt or shorten the window");
        if (keep_two_time) throw BadInput("two_time", "the two-time C_phi is kept on the uniform grid only (grid = log keeps a log-spaced memory)");
        const std::size_t blocks = LogMemoryProcess::max_blocks(std::size_t(std::max(n, 1.0)), std::size_t(g.recent),
                                                                std::size_t(g.per_octave));
        if (g.match_moments && std::size_t(paths) < 2 * blocks)
            throw BadInput("paths", "the log grid's matched noise needs at least twice as many paths as memory blocks (up to " +
                                        std::to_string(blocks) + " here): raise paths or lower grid_recent / grid_per_octave");
    }
    if (!aging.waiting_times.empty()) {
        aging.validate(aging.max_lag >= 0);
        if (start != TransientStart::Network)
            throw BadInput("waiting_times", "need start = network (times are counted from the network's random start)");
        aging.check_step(g.dt);
        if (g.t_burn > 0) check_aging_range(aging, transient_grid_end(g));
    }
}

std::string to_string(TwoTimeGrid g) { return g == TwoTimeGrid::Uniform ? "uniform" : "log"; }

TwoTimeGrid parse_two_time_grid(const std::string& s) {
    if (s == "uniform") return TwoTimeGrid::Uniform;
    if (s == "log") return TwoTimeGrid::Log;
    throw BadInput("grid", "must be 'uniform' or 'log', got '" + s + "'");
}

double transient_grid_end(const TransientGrid& g) {
    const RowCounts c = row_counts(g, g.t_burn);
    return g.dt * double(c.burn + c.before + c.horizon);
}

std::string to_string(TransientStart s) { return s == TransientStart::Stationary ? "stationary" : "network"; }

TransientStart parse_transient_start(const std::string& s) {
    if (s == "stationary") return TransientStart::Stationary;
    if (s == "network") return TransientStart::Network;
    throw BadInput("start", "must be 'stationary' or 'network', got '" + s + "'");
}

namespace {
void check_inputs(const ModelParams& p, const GateDrive& drive, const TransientOptions& o) {
    p.validate();
    drive.validate();
    o.validate();
    if (drive.amp_z != 0 && p.alpha_z == 0)
        throw BadInput("drive_amp_z", "drives the update gate, which is constant when alpha_z = 0");
    if (drive.amp_r != 0 && p.alpha_r == 0)
        throw BadInput("drive_amp_r", "drives the output gate, which is constant when alpha_r = 0");
}
}  // namespace

TransientResult solve_transient(const ModelParams& p, const GateDrive& drive, const TransientOptions& o) {
    check_inputs(p, drive, o);
    if (o.start == TransientStart::Network && !o.reference) return solve_transient(p, drive, o, nullptr);
    StationaryOptions so = o.stationary;
    so.grid.dt = o.grid.dt;
    so.seed = o.seed;
    so.observer = o.observer;
    so.lyapunov = false;
    so.validate();
    const StationaryResult s = solve_stationary(p, so);
    return solve_transient(p, drive, o, &s);
}

TransientResult solve_transient(const ModelParams& p, const GateDrive& drive, const TransientOptions& o,
                                const StationaryResult* ref) {
    check_inputs(p, drive, o);
    TransientResult res;
    std::string notes;
    if (ref) res.stationary = *ref;
    res.has_reference = ref && ref->converged;
    if (o.start == TransientStart::Stationary && !res.has_reference) {
        res.termination = ref ? ref->termination : Termination::NotFinite;
        res.message = ref ? "the stationary reference did not converge (use --start network to run without it): " + ref->message
                          : "the stationary start needs a stationary reference";
        return res;
    }
    if (ref && !ref->converged)
        notes += "the stationary reference did not converge (no pre-drive comparison): " + ref->message + " ";
    const StationaryResult& stat = res.stationary;
    // Grid.
    const double dt = o.grid.dt;
    double t_burn = o.grid.t_burn;
    if (t_burn == 0) {
        if (!res.has_reference)
            throw BadInput("t_burn", "no stationary reference to choose the burn-in from: give t_burn > 0");
        t_burn = automatic_burn(p, stat);
    }
    Layout L;
    L.dt = dt;
    const RowCounts rc = row_counts(o.grid, t_burn);
    L.k_window = rc.burn;
    L.k0 = rc.burn + rc.before;
    L.n = L.k0 + rc.horizon + 1;
    // Waiting-time rows (time since the start t = k dt) and lags.
    std::vector<std::size_t> probe_rows;
    std::vector<double> aging_lags;
    if (!o.aging.waiting_times.empty()) {
        const double t_end = dt * double(L.n - 1);
        check_aging_range(o.aging, t_end);
        for (double tw : o.aging.waiting_times) probe_rows.push_back(static_cast<std::size_t>(std::llround(tw / dt)));
        const double max_lag = o.aging.max_lag > 0 ? o.aging.max_lag : t_end - dt * double(probe_rows.back());
        aging_lags = log_step_grid(std::min(o.aging.min_lag, max_lag), max_lag, o.aging.lags, dt);
        while (probe_rows.back() + static_cast<std::size_t>(std::llround(aging_lags.back() / dt)) > L.n - 1) aging_lags.pop_back();
    }
    L.t_start = -dt * double(L.k0);
    res.dt = dt;
    res.t_burn = dt * double(rc.burn);
    const std::size_t M = (static_cast<std::size_t>(o.paths) + 7) / 8 * 8;
    res.paths = M;
    res.random_sets = o.random_sets;
    res.grid = o.grid.kind;
    res.rows = L.n;
    res.drive_start = drive.active() ? drive.t_on : std::numeric_limits<double>::infinity();

    StartState st;
    if (o.start == TransientStart::Stationary) {
        st.with_input = true;
        st.mean_h = std::isfinite(stat.mean_h) ? stat.mean_h : p.input_mean;
        st.var_h = stat.C_h0;
        st.mean_z = drive.b_z(L.time(0));
        st.var_z = std::isfinite(stat.C_z0) ? stat.C_z0 : 0.0;
        st.mean_r = drive.b_r(L.time(0));
        st.var_r = std::isfinite(stat.C_r0) ? stat.C_r0 : 0.0;
    } else {
        st.with_input = false;  // validation/network: h_i ~ N(0, 1), z = r = 0
        st.var_h = 1.0;
    }

    const int S = o.random_sets;
    Progress prog(o.observer, "transient DMFT", double(S) + 1.0);
    std::vector<SetMeasure> sets;
    sets.reserve(S);
    res.converged = true;
    res.termination = Termination::Converged;
    const std::size_t n = L.n;
    std::vector<double> two_time_sum;
    for (int si = 0; si < S; ++si) {
        const std::uint64_t set_seed = stream_key(o.seed, 0x7a5, static_cast<std::uint64_t>(si));
        const bool log_grid = o.grid.kind == TwoTimeGrid::Log;
        SiteRun run(p, drive, L, M, set_seed, st, o.pivot_floor, o.jitter, probe_rows,
                    log_grid ? std::array<std::size_t, 2>{std::size_t(o.grid.recent), std::size_t(o.grid.per_octave)}
                             : std::array<std::size_t, 2>{0, 0},
                    o.grid.match_moments);
        SetMeasure m = log_grid ? run.march_log(&prog, double(si)) : run.march(&prog, double(si));
        res.memory_rows = std::max(res.memory_rows, m.memory_rows);
        if (!m.finite) {
            res.converged = false;
            res.termination = Termination::NotFinite;
            res.message = "non-finite values on the sample paths (set " + std::to_string(si + 1) + ")";
            return res;
        }
        if (si == 0 && !log_grid) {
            // Fixed-point check of the march with the batch map; plain iteration if it is not met.
            std::vector<double> C = m.C;
            for (int it = 0; it < o.max_iterations; ++it) {
                SetMeasure f = run.apply(C);
                ++res.iterations;
                if (!f.finite) {
                    res.converged = false;
                    res.termination = Termination::NotFinite;
                    res.message = "non-finite values in the batch map";
                    return res;
                }
                const double r = rel_diff(f.C, C);
                res.residual_history.push_back(r);
                res.residual = r;
                log_line(o.observer, "transient DMFT: batch map residual " + fmt("%.3e", r) + " (application " +
                         std::to_string(it + 1) + ")");
                if (r <= o.tol) break;
                C = f.C;
                m = std::move(f);
            }
            if (!(res.residual <= o.tol)) {
                res.converged = false;
                res.termination = Termination::MaxIterations;
            }
            prog.update(double(S) + 0.0);
        }
        res.clipped_weight = std::max(res.clipped_weight, m.clipped);
        res.active_pivot_fraction += m.active_fraction / double(S);
        if (o.keep_two_time) {
            const std::size_t w = n - L.k_window;
            if (two_time_sum.empty()) two_time_sum.assign(w * w, 0.0);
            for (std::size_t i = 0; i < w; ++i)
                for (std::size_t j = 0; j < w; ++j) {
                    const std::size_t a = L.k_window + i, b = L.k_window + j;
                    two_time_sum[i * w + j] += (m.C[a * n + b] - m.mean_phi[a] * m.mean_phi[b]) / double(S);
                }
        }
        m.C.clear();
        m.C.shrink_to_fit();
        sets.push_back(std::move(m));
    }
    prog.finish();
    if (o.grid.kind == TwoTimeGrid::Log) {
        res.field_variance_ratio = 0.0;
        for (const SetMeasure& m : sets) res.field_variance_ratio += m.field_ratio / double(S);
    }
    if (!probe_rows.empty()) res.aging = aging_from_sets(sets, probe_rows, aging_lags, dt, o.random_sets);

    // Assemble the reported window: means and standard errors over sets.
    const std::size_t w = n - L.k_window;
    res.pulse_index = L.k0 - L.k_window;
    res.t.resize(w);
    for (std::size_t i = 0; i < w; ++i) res.t[i] = L.time(L.k_window + i);
    auto stat_of = [&](auto get, std::vector<double>& mean, std::vector<double>* err) {
        mean.assign(w, 0.0);
        if (err) err->assign(w, 0.0);
        std::vector<double> v(sets.size());
        for (std::size_t i = 0; i < w; ++i) {
            for (std::size_t s = 0; s < sets.size(); ++s) v[s] = get(sets[s], L.k_window + i);
            const MeanErr me = mean_err(v);
            mean[i] = me.mean;
            if (err) (*err)[i] = me.stderr_;
        }
    };
    stat_of([](const SetMeasure& m, std::size_t k) { return m.R[k]; }, res.R, &res.R_err);
    stat_of([](const SetMeasure& m, std::size_t k) { return m.var_h[k]; }, res.C_h_tt, &res.C_h_tt_err);
    stat_of([](const SetMeasure& m, std::size_t k) { return m.var_phi[k]; }, res.C_phi_tt, nullptr);
    stat_of([](const SetMeasure& m, std::size_t k) { return m.mean_h[k]; }, res.mean_h, nullptr);
    stat_of([](const SetMeasure& m, std::size_t k) { return m.mean_sigma_z[k]; }, res.mean_sigma_z, &res.mean_sigma_z_err);
    stat_of([](const SetMeasure& m, std::size_t k) { return m.mean_sigma_r[k]; }, res.mean_sigma_r, nullptr);
    res.C_phi_two_time = std::move(two_time_sum);
    for (const auto& m : sets) {
        const auto first = m.R.begin() + long(L.k_window);
        res.set_R.emplace_back(first, m.R.end());
        res.set_C_h_tt.emplace_back(m.var_h.begin() + long(L.k_window), m.var_h.end());
        res.set_mean_sigma_z.emplace_back(m.mean_sigma_z.begin() + long(L.k_window), m.mean_sigma_z.end());
    }

    // Stationary reference on the grid and the pre-drive comparison.
    res.R_stationary.assign(w, nan_v);
    if (res.has_reference)
        for (std::size_t i = res.pulse_index; i < w; ++i) res.R_stationary[i] = stationary_R(stat, res.t[i]);
    if (res.has_reference) {
        std::vector<double> per_set;
        for (const auto& m : sets) {
            double sum = 0;
            int cnt = 0;
            for (std::size_t i = 0; i < w; ++i)
                if (res.t[i] < res.drive_start) sum += m.var_h[L.k_window + i], ++cnt;
            if (cnt > 0) per_set.push_back(sum / cnt);
        }
        if (!per_set.empty()) {
            const MeanErr me = mean_err(per_set);
            res.pre_drive_C_h = me.mean;
            res.pre_drive_C_h_err = me.stderr_;
        }
        double dev = 0;
        bool any = false;
        for (std::size_t i = res.pulse_index; i < w && res.t[i] < res.drive_start; ++i)
            if (std::isfinite(res.R_stationary[i])) {
                dev = std::max(dev, std::abs(res.R[i] - res.R_stationary[i]) / stat.R[0]);
                any = true;
            }
        if (any) res.pre_drive_R_max_dev = dev;
    }
    {
        std::vector<double> tt(res.t.begin() + long(res.pulse_index), res.t.end());
        std::vector<double> rr(res.R.begin() + long(res.pulse_index), res.R.end());
        res.tau_response = mean_response_time(tt, rr);
    }

    std::ostringstream msg;
    msg << (res.converged ? "converged: " : "not converged: ") << S << " random set(s) of " << M << " paths on "
        << n << " times (dt " << dt << ", burn-in " << res.t_burn << ", window [" << res.t.front() << ", "
        << res.t.back() << "]); ";
    if (o.grid.kind == TwoTimeGrid::Log)
        msg << "log grid: " << res.memory_rows << " memory blocks at most (recent " << o.grid.recent << ", " << o.grid.per_octave
            << " per size), causal march without a batch-map check; clipped weight " << fmt("%.2e", res.clipped_weight)
            << "; field variance on the paths / C_phi(t,t) over the last tenth " << fmt("%.3f", res.field_variance_ratio)
            << (std::abs(res.field_variance_ratio - 1) > 0.05 ? " (off by more than 5%: C_h(t,t) is biased by about as much, docs/aging.md)" : "");
    else
        msg << "batch-map residual " << fmt("%.2e", res.residual) << " (tol " << fmt("%.1e", o.tol) << ") after "
            << res.iterations << " application(s); clipped weight " << fmt("%.2e", res.clipped_weight) << ", kept pivots "
            << fmt("%.3f", res.active_pivot_fraction);
    msg << "; start " << to_string(o.start) << ". ";
    if (res.has_reference)
        msg << "Pre-drive C_h(t,t) " << fmt("%.5g", res.pre_drive_C_h) << " +- " << fmt("%.2g", res.pre_drive_C_h_err)
            << " vs stationary " << fmt("%.5g", stat.C_h0) << " +- " << fmt("%.2g", stat.stat_err) << ". ";
    msg << notes;
    res.message = msg.str();
    return res;
}

}  // namespace gdmft
