// The sampled route of the adjoint DMFT: see dmft/adjoint_sampled.hpp for the equations and the method.
#include "dmft/adjoint_sampled.hpp"

#include "dmft/lyapunov_sampled.hpp"
#include "dmft/sampled_state.hpp"
#include "dmft/single_site_sampler.hpp"
#include "numerics/circulant_sampler.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"
#include "numerics/gaussian_process.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <sstream>

namespace gdmft {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kChunk = 64;  // paths per fixed reduction chunk
// Keyed streams: random sets of this route, r paths and their static parts, w, the zeta noises.
constexpr std::uint64_t kSetTag = 0xad5;
constexpr std::uint64_t tag_r = 0xad10, tag_r_static = 0xad11, tag_w = 0xad12;
constexpr std::uint64_t tag_xi_h = 0xad13, tag_xi_z = 0xad14, tag_xi_r = 0xad15;
constexpr double kPivotFloor = 1e-12;
constexpr double kScaleHigh = 1e200, kScaleLow = 1e-200;  // bounds of <a_h^2> before a rescale

// The forward state of one forward random set: its fields and their lag step.
struct ForwardSource {
    const TangentForward* fwd = nullptr;
    double dt = 0;
};

// Which adjoint components and fields the model has.
struct Layout {
    std::size_t K = 0, P = 0;  // grid points, paths
    double ds = 0;
    bool z = false, z_dyn = false, zeta_z = false;  // z adjoint (alpha_z != 0), a_z state (tau_z > 0), zeta_z (g_z != 0)
    bool r = false, r_dyn = false, zeta_r = false;
    std::size_t chunks() const { return (P + kChunk - 1) / kChunk; }
};

// Forward quantities on the backward grid, K x P time-major (index k * P + p, k the backward step).
struct ForwardOnGrid {
    std::vector<double> S, dphi, phi;  // sigma_z, phi'(h), phi(h)
    std::vector<double> gz;            // sigma_z'(z) (eta_h + I - h) / tau_h (z adjoint only)
    std::vector<double> sr, srp;       // sigma_r(r), sigma_r'(r) (r adjoint only; else sigma_r(0) constant)
    double clipped = 0;
};

// A lag covariance on step dt_f refined to dt_f / stride (n_out lags); the input is tapered to 0 at
// its last lag, so the two lags refine_lags reads beyond it are 0.
std::vector<double> refine(std::vector<double> c, std::size_t stride, std::size_t n_out) {
    c.push_back(0.0);
    c.push_back(0.0);
    c.push_back(0.0);
    return detail::refine_lags(c, stride, n_out);
}

ForwardOnGrid make_forward(const ModelParams& p, const ForwardSource& src, const Layout& L, std::uint64_t set_seed) {
    const TangentForward& fw = *src.fwd;
    const auto stride = static_cast<std::size_t>(std::llround(src.dt / L.ds));
    const std::size_t n = fw.fields.eta_dyn.size(), n2 = (n - 1) * stride + 1;
    SiteFields f;
    f.eta_dyn = refine(fw.fields.eta_dyn, stride, n2);
    f.eta_static = fw.fields.eta_static;
    if (!p.clock_constant()) {
        f.z_dyn = refine(fw.fields.z_dyn, stride, n2);
        f.z_static = fw.fields.z_static;
    }
    const std::size_t K = L.K, P = L.P;
    const SiteGrid grid = SiteGrid::make(n2, L.ds, K + n2, 0.0);
    ForwardOnGrid out;
    std::vector<double> r;  // r on the window (forward time), K x P
    {
        SingleSiteSampler smp(p, grid, P, set_seed, 0);  // noise redrawn (one pass)
        ForwardPaths fp = smp.forward_paths(f, P, K);
        out.clipped = std::max(fp.clipped_eta, fp.clipped_z);
        if (L.r) {
            // r: Gaussian, independent of (h, z), with the forward C_r (dynamic part tapered, plateau static).
            const std::vector<double> taper = detail::window_taper(n);
            std::vector<double> cr(n);
            for (std::size_t k = 0; k < n; ++k) cr[k] = (fw.C_r[k] - fw.r_plateau) * taper[k];
            CirculantSampler rs(grid.m);
            out.clipped = std::max(out.clipped, rs.set_covariance(refine(cr, stride, n2)));
            std::vector<double> st(P);
            WhiteNoise::fill(stream_key(set_seed, tag_r_static, 0), st.data(), P);
            const double sd = std::sqrt(std::max(0.0, fw.r_plateau));
            r.resize(K * P);
            const std::size_t B = grid.burn, pairs = P / 2;
#pragma omp parallel
            {
                CirculantSampler::Workspace ws(grid.m);
                std::vector<double> a(grid.m), b(grid.m);
#pragma omp for schedule(static)
                for (std::ptrdiff_t q = 0; q < static_cast<std::ptrdiff_t>(pairs); ++q) {
                    rs.draw_pair(stream_key(set_seed, std::uint64_t(q), tag_r), a.data(), b.data(), ws);
                    const std::size_t pa = 2 * std::size_t(q), pb = pa + 1;
                    for (std::size_t t = 0; t < K; ++t) {
                        r[t * P + pa] = a[B + t] + sd * st[pa];
                        r[t * P + pb] = b[B + t] + sd * st[pb];
                    }
                }
            }
        }
        // Backward order: step k reads forward time index K - 1 - k.
        const Phi phi = p.phi_fn();
        const Gate gz = p.gate_z(), gr = p.gate_r();
        out.S.resize(K * P);
        out.dphi.resize(K * P);
        out.phi.resize(K * P);
        if (L.z) out.gz.resize(K * P);
        if (L.r) out.sr.resize(K * P), out.srp.resize(K * P);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(K); ++k) {
            const std::size_t t = K - 1 - std::size_t(k);
            for (std::size_t q = 0; q < P; ++q) {
                const std::size_t i = std::size_t(k) * P + q, j = t * P + q;
                const double h = fp.h[j], s = fp.sigma_z[j];
                out.S[i] = s;
                out.phi[i] = phi(h);
                out.dphi[i] = phi.deriv(h);
                if (L.z) out.gz[i] = gz.alpha * s * (1 - s) * (fp.drive[j] - h) / p.tau_h;
                if (L.r) {
                    const double x = gr(r[j]);
                    out.sr[i] = x;
                    out.srp[i] = gr.alpha * x * (1 - x);
                }
            }
        }
    }
    return out;
}

// Moment matching of the white noise across paths: row k of xi (K x P, one value per path) is made
// orthogonal, over the paths, to the rows k-w..k-1 (w = min(k, P - 1)) and rescaled to sum xi^2 = P
// (modified Gram-Schmidt, in double). The fields zeta(s_k) = sum_l L(k,l) xi_l then have over the paths
// exactly the second moments the factor prescribes (when P >= K), instead of chi-square fluctuations
// of relative size sqrt(2/P) at every step. The march amplifies those fluctuations (the growth makes
// them persist), and they bias the growth rate upwards (measured in the report of issue 13: SCS g = 2,
// 2048 paths, dt 0.1, T = 30, 4 x 8 sets: growth +4% +- 3% without, +0.3% +- 1.3% with). The rows stay
// independent of the forward paths, and each path's noise stays exchangeable.
void orthonormalise(std::vector<float>& xi, std::size_t K, std::size_t P) {
    std::vector<double> Q(xi.begin(), xi.end()), c(std::min(K, P));
    const auto n = static_cast<Eigen::Index>(P);
    const std::size_t chunks = (P + kChunk - 1) / kChunk;
    for (std::size_t k = 0; k < K; ++k) {
        double* qk = &Q[k * P];
        const std::size_t w = std::min(k, P - 1), j0 = k - w;
        // Classical Gram-Schmidt, twice (CGS2: as accurate as the modified form); dot products per row
        // and updates per path chunk, each in a fixed order (thread-count independent).
        for (int pass = 0; pass < 2 && w > 0; ++pass) {
            const Eigen::Map<const Eigen::VectorXd> vk(qk, n);
#pragma omp parallel for schedule(static)
            for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(w); ++i)
                c[std::size_t(i)] = vk.dot(Eigen::Map<const Eigen::VectorXd>(&Q[(j0 + std::size_t(i)) * P], n)) / double(P);
#pragma omp parallel for schedule(static)
            for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(chunks); ++ci) {
                const std::size_t p0 = std::size_t(ci) * kChunk, p1 = std::min(P, p0 + kChunk);
                for (std::size_t i = 0; i < w; ++i) {
                    const double* qj = &Q[(j0 + i) * P];
                    for (std::size_t q = p0; q < p1; ++q) qk[q] -= c[i] * qj[q];
                }
            }
        }
        const double norm = Eigen::Map<const Eigen::VectorXd>(qk, n).norm();
        if (norm > 0)
            for (std::size_t q = 0; q < P; ++q) qk[q] *= std::sqrt(double(P)) / norm;
    }
    for (std::size_t i = 0; i < Q.size(); ++i) xi[i] = static_cast<float>(Q[i]);
}

// The outcome of one random set.
struct SetOutcome {
    std::vector<double> lnA2, az2, ar2;  // per grid point (NaN after a non-finite state)
    std::vector<double> grad_h, grad_z, grad_r;  // per norm horizon
    bool finite = true;
    double nonfinite_at = nan_v;
    double clipped_forward = 0, clipped_factor = 0, active_fraction = 0;
};

// One random set's march.
class March {
public:
    March(const ModelParams& p, const Layout& L, const ForwardOnGrid& fw, std::uint64_t set_seed, double jitter)
        : p_(p), L_(L), fw_(fw), K_(L.K), P_(L.P), Lh_(L.K, kPivotFloor, jitter),
          Lz_(L.zeta_z ? L.K : 0, kPivotFloor, jitter), Lr_(L.zeta_r ? L.K : 0, kPivotFloor, jitter) {
        const std::size_t KP = K_ * P_;
        X_.assign(KP, 0.0);
        if (L.z) EZ_.assign(KP, 0.0);
        if (L.r) ER_.assign(KP, 0.0);
        auto noise = [&](std::vector<float>& xi, std::uint64_t tag) {
            xi.resize(KP);
            for (std::size_t k = 0; k < K_; ++k) WhiteNoise::fill(stream_key(set_seed, tag, k), &xi[k * P_], P_);
            orthonormalise(xi, K_, P_);
        };
        noise(xih_, tag_xi_h);
        if (L.zeta_z) noise(xiz_, tag_xi_z);
        if (L.zeta_r) noise(xir_, tag_xi_r);
        const std::size_t packed = K_ * (K_ + 1) / 2;
        Ah_.assign(packed, 0.0);
        if (L.z) Az_.assign(packed, 0.0);
        if (L.r) Ar_.assign(packed, 0.0);
        row_log_.assign(K_, 0.0);
        for (auto* v : {&ah_, &az_, &ar_, &fh_, &fz_, &fr_, &zh_, &zz_, &zr_, &ph_, &pz_, &pr_, &tmp_x_, &tmp_e_})
            v->assign(P_, 0.0);
        row_.resize(K_);
        lrow_.resize(K_);
        part_.resize(L.chunks());
        // a_h(0) = w, normalised to <w^2> = 1 over the paths.
        WhiteNoise::fill(stream_key(set_seed, tag_w, 0), ah_.data(), P_);
        double w2 = 0;
        for (double x : ah_) w2 += x * x;
        const double c = 1.0 / std::sqrt(w2 / double(P_));
        for (double& x : ah_) x *= c;
    }

    SetOutcome run(Progress& prog, double base) {
        SetOutcome out;
        out.lnA2.assign(K_, nan_v);
        if (L_.z_dyn) out.az2.assign(K_, nan_v);
        if (L_.r_dyn) out.ar2.assign(K_, nan_v);
        const double ds = L_.ds;
        finalize(0);
        measure(0, out);
        for (std::size_t k = 0; k + 1 < K_; ++k) {
            // Predictor: Euler step into (ph, pz, pr).
            euler(ph_, ah_, fh_, ds);
            if (L_.z_dyn) euler(pz_, az_, fz_, ds);
            if (L_.r_dyn) euler(pr_, ar_, fr_, ds);
            // Trial fields at s_{k+1} from the predicted state, with the noise of step k+1.
            fields(k + 1, ph_, pz_, pr_, true);
            // Corrector: a += ds/2 (f_k + f(s_{k+1}, predicted)); f_k is kept in (fh, fz, fr).
            correct(k + 1, ds);
            finalize(k + 1);
            if (!measure(k + 1, out)) {
                out.finite = false;
                out.nonfinite_at = ds * double(k + 1);
                break;
            }
            if (k % 32 == 0) prog.update(base + double(k) / double(K_));
        }
        out.clipped_factor = std::max({Lh_.clipped_weight(), L_.zeta_z ? Lz_.clipped_weight() : 0.0,
                                       L_.zeta_r ? Lr_.clipped_weight() : 0.0});
        out.active_fraction = double(Lh_.active_pivots()) / double(K_);
        return out;
    }

    // Packed kept covariance rows (row k at k(k+1)/2, in the scale of step k: times exp(2 row_log(k))).
    const std::vector<double>& rows_h() const { return Ah_; }
    const std::vector<double>& rows_z() const { return Az_; }
    const std::vector<double>& rows_r() const { return Ar_; }
    const std::vector<double>& row_log() const { return row_log_; }

private:
    template <class F>
    void for_chunks(F f) {
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(L_.chunks()); ++ci) {
            const std::size_t p0 = std::size_t(ci) * kChunk;
            f(std::size_t(ci), p0, std::min(P_, p0 + kChunk));
        }
    }

    void euler(std::vector<double>& out, const std::vector<double>& a, const std::vector<double>& f, double ds) {
        for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
            for (std::size_t q = p0; q < p1; ++q) out[q] = a[q] + ds * f[q];
        });
    }

    // row[j] = (1/P) sum_p H(j, p) x(p) for j < k, row[k] = (1/P) sum_p x(p)^2.
    void gram_row(const std::vector<double>& H, const double* x, std::size_t k, double* row) const {
        const Eigen::Index P = static_cast<Eigen::Index>(P_);
        const Eigen::Map<const Eigen::VectorXd> xk(x, P);
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t j = 0; j <= static_cast<std::ptrdiff_t>(k); ++j) {
            const double* hj = std::size_t(j) == k ? x : &H[std::size_t(j) * P_];
            row[j] = xk.dot(Eigen::Map<const Eigen::VectorXd>(hj, P)) / double(P_);
        }
    }

    // out[p] = amp sum_{j<=k} l[j] xi(j, p).
    void draw(const double* l, std::size_t k, const std::vector<float>& xi, double amp, double* out) {
        for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
            double acc[kChunk] = {};
            const std::size_t w = p1 - p0;
            for (std::size_t j = 0; j <= k; ++j) {
                const double lj = l[j];
                if (lj == 0.0) continue;
                const float* x = &xi[j * P_ + p0];
                for (std::size_t q = 0; q < w; ++q) acc[q] += lj * double(x[q]);
            }
            for (std::size_t q = 0; q < w; ++q) out[p0 + q] = amp * acc[q];
        });
    }

    // The fields zeta at step k from the state (ah, az, ar) at s_k: trial (predictor: the rows are not
    // kept; the histories at k are not written) or kept (rows appended, histories written).
    void fields(std::size_t k, const std::vector<double>& ah, const std::vector<double>& az,
                const std::vector<double>& ar, bool trial) {
        const std::size_t o = k * P_;
        // zeta_h from x = sigma_z a_h.
        double* x = trial ? tmp_x_.data() : &X_[o];
        for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
            for (std::size_t q = p0; q < p1; ++q) x[q] = fw_.S[o + q] * ah[q];
        });
        gram_row(X_, x, k, row_.data());
        const double amp_h = p_.g_h / p_.tau_h;
        if (trial) {
            Lh_.trial_row(row_.data(), lrow_.data());
            draw(lrow_.data(), k, xih_, amp_h, zh_.data());
        } else {
            std::copy(row_.begin(), row_.begin() + long(k + 1), &Ah_[k * (k + 1) / 2]);
            Lh_.append(row_.data());
            draw(Lh_.row(k), k, xih_, amp_h, zh_.data());
        }
        // zeta_z from e_z = a_z / tau_z (dynamic) or sigma_z' (eta_h + I - h) a_h / tau_h (instantaneous).
        if (L_.z) {
            double* e = trial ? tmp_e_.data() : &EZ_[o];
            for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
                if (L_.z_dyn)
                    for (std::size_t q = p0; q < p1; ++q) e[q] = az[q] / p_.tau_z;
                else
                    for (std::size_t q = p0; q < p1; ++q) e[q] = fw_.gz[o + q] * ah[q];
            });
            if (!trial || L_.zeta_z) gram_row(EZ_, e, k, row_.data());
            if (!trial) std::copy(row_.begin(), row_.begin() + long(k + 1), &Az_[k * (k + 1) / 2]);
            if (L_.zeta_z) {
                if (trial) {
                    Lz_.trial_row(row_.data(), lrow_.data());
                    draw(lrow_.data(), k, xiz_, p_.g_z, zz_.data());
                } else {
                    Lz_.append(row_.data());
                    draw(Lz_.row(k), k, xiz_, p_.g_z, zz_.data());
                }
            }
        }
        // zeta_r from e_r = a_r / tau_r (dynamic) or sigma_r' phi(h) zeta_h (instantaneous).
        if (L_.r) {
            double* e = trial ? tmp_e_.data() : &ER_[o];
            for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
                if (L_.r_dyn)
                    for (std::size_t q = p0; q < p1; ++q) e[q] = ar[q] / p_.tau_r;
                else
                    for (std::size_t q = p0; q < p1; ++q) e[q] = fw_.srp[o + q] * fw_.phi[o + q] * zh_[q];
            });
            if (!trial || L_.zeta_r) gram_row(ER_, e, k, row_.data());
            if (!trial) std::copy(row_.begin(), row_.begin() + long(k + 1), &Ar_[k * (k + 1) / 2]);
            if (L_.zeta_r) {
                if (trial) {
                    Lr_.trial_row(row_.data(), lrow_.data());
                    draw(lrow_.data(), k, xir_, p_.g_r, zr_.data());
                } else {
                    Lr_.append(row_.data());
                    draw(Lr_.row(k), k, xir_, p_.g_r, zr_.data());
                }
            }
        }
    }

    // Right-hand sides at step k for the state (ah, az, ar) and the current fields, into (fh, fz, fr),
    // or added with weight c to the corrector sum (accumulate).
    double rhs_h(std::size_t i, std::size_t q, double ah) const {
        const double sr = L_.r ? fw_.sr[i] : p_.gate_r().at_zero();
        double drive = sr * zh_[q];
        if (L_.zeta_z) drive += zz_[q];
        if (L_.zeta_r) drive += zr_[q];
        return -(fw_.S[i] / p_.tau_h) * ah + fw_.dphi[i] * drive;
    }
    double rhs_z(std::size_t i, double ah, double az) const { return fw_.gz[i] * ah - az / p_.tau_z; }
    double rhs_r(std::size_t i, std::size_t q, double ar) const { return fw_.srp[i] * fw_.phi[i] * zh_[q] - ar / p_.tau_r; }

    void derivatives(std::size_t k) {
        const std::size_t o = k * P_;
        for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
            for (std::size_t q = p0; q < p1; ++q) {
                fh_[q] = rhs_h(o + q, q, ah_[q]);
                if (L_.z_dyn) fz_[q] = rhs_z(o + q, ah_[q], az_[q]);
                if (L_.r_dyn) fr_[q] = rhs_r(o + q, q, ar_[q]);
            }
        });
    }

    void correct(std::size_t k, double ds) {
        const std::size_t o = k * P_;
        for_chunks([&](std::size_t, std::size_t p0, std::size_t p1) {
            for (std::size_t q = p0; q < p1; ++q) {
                const double gh = rhs_h(o + q, q, ph_[q]);
                double gz = 0, gr = 0;
                if (L_.z_dyn) gz = rhs_z(o + q, ph_[q], pz_[q]);
                if (L_.r_dyn) gr = rhs_r(o + q, q, pr_[q]);
                ah_[q] += 0.5 * ds * (fh_[q] + gh);
                if (L_.z_dyn) az_[q] += 0.5 * ds * (fz_[q] + gz);
                if (L_.r_dyn) ar_[q] += 0.5 * ds * (fr_[q] + gr);
            }
        });
    }

    // Kept fields at step k from the (corrected) state, the derivatives there, and the rescale.
    void finalize(std::size_t k) {
        fields(k, ah_, az_, ar_, false);
        row_log_[k] = log_scale_;
        derivatives(k);
    }

    // <a_h^2> (and <a_z^2>, <a_r^2>) at step k into out; rescales when needed. False on a non-finite state.
    bool measure(std::size_t k, SetOutcome& out) {
        for_chunks([&](std::size_t ci, std::size_t p0, std::size_t p1) {
            double sh = 0, sz = 0, sr = 0;
            for (std::size_t q = p0; q < p1; ++q) {
                sh += ah_[q] * ah_[q];
                if (L_.z_dyn) sz += az_[q] * az_[q];
                if (L_.r_dyn) sr += ar_[q] * ar_[q];
            }
            part_[ci] = {sh, sz, sr};
        });
        double sh = 0, sz = 0, sr = 0;
        for (const auto& c : part_) sh += c[0], sz += c[1], sr += c[2];
        const double P = double(P_);
        if (!std::isfinite(sh) || !std::isfinite(sz) || !std::isfinite(sr)) return false;
        out.lnA2[k] = std::log(sh / P) + 2 * log_scale_;
        const double scale2 = std::exp(2 * log_scale_);
        if (L_.z_dyn) out.az2[k] = sz / P * scale2;
        if (L_.r_dyn) out.ar2[k] = sr / P * scale2;
        const double a2 = sh / P;
        if (a2 > 0 && (a2 > kScaleHigh || a2 < kScaleLow)) rescale(k, -static_cast<int>(std::lround(0.5 * std::log2(a2))));
        return true;
    }

    // Multiplies the state, the fields, the derivatives, the histories up to step k and the factors by
    // 2^e (exact).
    void rescale(std::size_t k, int e) {
        const double c = std::ldexp(1.0, e);
        for (auto* v : {&ah_, &az_, &ar_, &fh_, &fz_, &fr_, &zh_, &zz_, &zr_})
            for (double& x : *v) x *= c;
        for (auto* v : {&X_, &EZ_, &ER_})
            if (!v->empty())
                for (std::size_t i = 0; i < (k + 1) * P_; ++i) (*v)[i] *= c;
        Lh_.scale(c);
        if (L_.zeta_z) Lz_.scale(c);
        if (L_.zeta_r) Lr_.scale(c);
        log_scale_ -= double(e) * std::log(2.0);
    }

    const ModelParams& p_;
    const Layout& L_;
    const ForwardOnGrid& fw_;
    std::size_t K_, P_;
    CausalCholesky Lh_, Lz_, Lr_;
    std::vector<double> X_, EZ_, ER_;  // histories of x = sigma_z a_h, e_z, e_r (K x P)
    std::vector<float> xih_, xiz_, xir_;  // white noise of the fields (K x P)
    std::vector<double> Ah_, Az_, Ar_, row_log_;
    std::vector<double> ah_, az_, ar_, fh_, fz_, fr_, zh_, zz_, zr_, ph_, pz_, pr_, tmp_x_, tmp_e_;
    std::vector<double> row_, lrow_;
    std::vector<std::array<double, 3>> part_;
    double log_scale_ = 0;
};

// Raw forward two-time moment F(k, j) = (1/P) sum_p v(k, p) v(j, p), j <= k, packed.
std::vector<double> forward_gram(const std::vector<double>& V, std::size_t K, std::size_t P) {
    std::vector<double> F(K * (K + 1) / 2);
    const Eigen::Index n = static_cast<Eigen::Index>(P);
#pragma omp parallel for schedule(dynamic, 8)
    for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(K); ++k) {
        const Eigen::Map<const Eigen::VectorXd> vk(&V[std::size_t(k) * P], n);
        double* row = &F[std::size_t(k) * (std::size_t(k) + 1) / 2];
        for (std::size_t j = 0; j <= std::size_t(k); ++j)
            row[j] = vk.dot(Eigen::Map<const Eigen::VectorXd>(&V[j * P], n)) / double(P);
    }
    return F;
}

// int_0^{s_m} int_0^{s_m} A F by the trapezoid rule on the packed lower triangles, A's row k in the
// scale exp(2 row_log[k]).
double double_integral(const std::vector<double>& A, const std::vector<double>& F, const std::vector<double>& row_log,
                       std::size_t m, double ds) {
    if (m == 0) return 0.0;
    auto w = [&](std::size_t j) { return (j == 0 || j == m) ? 0.5 * ds : ds; };
    double total = 0;
    for (std::size_t k = 0; k <= m; ++k) {
        const std::size_t o = k * (k + 1) / 2;
        double s = 0;
        for (std::size_t j = 0; j < k; ++j) s += 2 * w(j) * A[o + j] * F[o + j];
        s += w(k) * A[o + k] * F[o + k];
        total += w(k) * s * std::exp(2 * row_log[k]);
    }
    return total;
}

}  // namespace

void AdjointSampledOptions::validate() const {
    if (paths < 16) throw BadInput("paths", "need at least 16 adjoint paths");
    if (random_sets < 1) throw BadInput("random_sets", "must be >= 1");
    if (!(jitter >= 0 && jitter < 1e-2)) throw BadInput("jitter", "must be in [0, 1e-2)");
}

AdjointResult adjoint_sampled(const ModelParams& p, const StationaryResult& forward, const AdjointOptions& o,
                              const AdjointSampledOptions& so) {
    const auto t_start = std::chrono::steady_clock::now();
    p.validate();
    o.validate();
    so.validate();
    // Forward sources.
    std::vector<ForwardSource> sources;
    TangentForward closure_fwd;
    std::string source_note;
    if (!forward.converged || forward.termination != Termination::Converged)
        throw BadInput("forward", "needs a converged stationary solution (adjoint_sampled)");
    if (forward.method == "sampled") {
        if (!forward.sampled_state || forward.sampled_state->sets.empty())
            throw BadInput("forward", "the sampled solution carries no converged set (adjoint_sampled)");
        for (const SampledSet& s : forward.sampled_state->sets) sources.push_back({&s.forward, s.grid.dt});
        source_note = "the sampled solver's " + std::to_string(sources.size()) + " converged set(s)";
    } else if (forward.method == "gaussian") {
        if (p.alpha_z != 0) throw BadInput("forward", "a Gaussian closure needs alpha_z = 0 (adjoint_sampled)");
        if (forward.tau.size() < 16 || !(forward.C_h0 > 0))
            throw BadInput("forward", "needs a chaotic Gaussian-closure solution (adjoint_sampled)");
        closure_fwd = closure_forward(p, forward);
        sources.push_back({&closure_fwd, forward.tau[1] - forward.tau[0]});
        source_note = "the Gaussian closure's fields";
    } else {
        throw BadInput("forward", "unknown forward method '" + forward.method + "' (adjoint_sampled)");
    }
    for (const auto& s : sources) {
        const double r = s.dt / o.dt;
        if (!(std::abs(r - std::round(r)) <= 1e-9 * r && std::round(r) >= 1))
            throw BadInput("dt", "must divide the forward lag step " + fmt("%.6g", s.dt) + " (adjoint_sampled)");
        const std::size_t n = s.fwd->fields.eta_dyn.size();
        if (n < 2 || (!p.clock_constant() && s.fwd->fields.z_dyn.size() != n))
            throw BadInput("forward", "the forward state has no clock field (adjoint_sampled)");
        if (!p.gate_r().constant() && s.fwd->C_r.size() != n)
            throw BadInput("forward", "the forward state has no C_r (adjoint_sampled)");
    }

    Layout L;
    L.ds = o.dt;
    L.K = static_cast<std::size_t>(std::llround(o.horizon / o.dt)) + 1;
    L.P = (so.paths + 7) / 8 * 8;
    L.z = !p.gate_z().constant();
    L.z_dyn = L.z && p.tau_z > 0;
    L.zeta_z = L.z && p.g_z != 0;
    L.r = !p.gate_r().constant();
    L.r_dyn = L.r && p.tau_r > 0;
    L.zeta_r = L.r && p.g_r != 0;

    // Memory of one set (sets run one after the other): forward fields (3 to 6 doubles per path and
    // step) and the forward paths they are made from (3, plus r), histories (1 to 3), noise (floats);
    // packed two-time rows, factors and the two forward moments.
    {
        const double KP = double(L.K) * double(L.P), tri = double(L.K) * double(L.K + 1) / 2;
        const double fwd = 3 + (L.z ? 1 : 0) + (L.r ? 2 : 0) + 3 + (L.r ? 1 : 0);
        const double hist = 1 + (L.z ? 1 : 0) + (L.r ? 1 : 0);
        const double noise = 1 + (L.zeta_z ? 1 : 0) + (L.zeta_r ? 1 : 0);
        const double bytes = KP * (8 * (fwd + hist) + 4 * noise) + 8 * tri * (hist + noise + 2);
        if (bytes > double(o.memory_limit))
            throw BadInput("memory-limit", "the sampled adjoint needs " + fmt("%.3g", bytes) + " bytes per random set (" +
                           std::to_string(L.P) + " paths x " + std::to_string(L.K) + " steps) > memory_limit " +
                           fmt("%.3g", double(o.memory_limit)) + ": lower paths or the horizon, or raise dt");
    }

    AdjointResult res;
    res.method = "sampled";
    res.state = "chaotic";
    res.grid_points = L.K;
    // Norm horizons: T/4, T/2, 3T/4, T on the grid.
    std::vector<std::size_t> hk;
    for (int q = 1; q <= 4; ++q) {
        const auto m = static_cast<std::size_t>(std::llround(double(L.K - 1) * q / 4.0));
        if (m > 0 && (hk.empty() || m > hk.back())) hk.push_back(m);
    }
    for (std::size_t m : hk) res.norm_horizons.push_back(L.ds * double(m));

    const int S = so.random_sets;
    Progress prog(so.observer, "adjoint DMFT (sampled)", double(S));
    std::vector<SetOutcome> sets;
    double clipped_fwd = 0, clipped_fac = 0, active = 0;
    for (int si = 0; si < S; ++si) {
        const std::uint64_t set_seed = stream_key(so.seed, kSetTag, static_cast<std::uint64_t>(si));
        const ForwardOnGrid fw = make_forward(p, sources[std::size_t(si) % sources.size()], L, set_seed);
        March march(p, L, fw, set_seed, so.jitter);
        SetOutcome out = march.run(prog, double(si));
        out.clipped_forward = fw.clipped;
        // Gradient norms on the kept rows and the forward moments of the same paths.
        const std::size_t K = L.K, P = L.P;
        std::vector<double> v(K * P);
        const double sr0 = p.gate_r().at_zero();
        for (std::size_t i = 0; i < K * P; ++i) v[i] = (L.r ? fw.sr[i] : sr0) * fw.phi[i];
        const std::vector<double> Fsrphi = forward_gram(v, K, P);
        std::vector<double> Fphi;
        if (L.z || L.r) Fphi = forward_gram(fw.phi, K, P);
        for (std::size_t m : hk) {
            out.grad_h.push_back(double_integral(march.rows_h(), Fsrphi, march.row_log(), m, L.ds) / (p.tau_h * p.tau_h));
            out.grad_z.push_back(L.z ? double_integral(march.rows_z(), Fphi, march.row_log(), m, L.ds) : 0.0);
            out.grad_r.push_back(L.r ? double_integral(march.rows_r(), Fphi, march.row_log(), m, L.ds) : 0.0);
        }
        clipped_fwd = std::max(clipped_fwd, out.clipped_forward);
        clipped_fac = std::max(clipped_fac, out.clipped_factor);
        active += out.active_fraction / double(S);
        log_line(so.observer, "adjoint DMFT (sampled): set " + std::to_string(si + 1) + "/" + std::to_string(S) +
                 ": ln <a_h^2>(T) " + fmt("%.6g", out.lnA2.back()) + (out.finite ? "" : " (non-finite state)"));
        if (!out.finite) {
            res.finite = false;
            res.nonfinite_at = std::fmin(res.nonfinite_at, out.nonfinite_at);  // fmin ignores the initial NaN
        }
        sets.push_back(std::move(out));
    }
    prog.finish();

    // Assemble: means and standard errors over sets.
    const std::size_t K = L.K;
    const auto every = static_cast<std::size_t>(std::llround(o.resolved_spacing() / o.dt));
    auto over_sets = [&](auto get) {
        std::vector<double> v(sets.size());
        for (std::size_t s = 0; s < sets.size(); ++s) v[s] = get(sets[s]);
        return mean_err(v);
    };
    std::vector<double> s_all(K), mean_ln(K);
    for (std::size_t k = 0; k < K; ++k) {
        s_all[k] = L.ds * double(k);
        mean_ln[k] = over_sets([&](const SetOutcome& o2) { return o2.lnA2[k]; }).mean;
    }
    for (std::size_t k = 0; k < K; k += every) {
        res.t_before_horizon.push_back(s_all[k]);
        const MeanErr e = over_sets([&](const SetOutcome& o2) { return o2.lnA2[k]; });
        res.log_a_h2.push_back(e.mean);
        res.log_a_h2_err.push_back(e.stderr_);
        if (L.z_dyn) {
            const MeanErr z = over_sets([&](const SetOutcome& o2) { return o2.az2[k]; });
            res.a_z2.push_back(z.mean);
            res.a_z2_err.push_back(z.stderr_);
        }
        if (L.r_dyn) {
            const MeanErr r = over_sets([&](const SetOutcome& o2) { return o2.ar2[k]; });
            res.a_r2.push_back(r.mean);
            res.a_r2_err.push_back(r.stderr_);
        }
    }
    for (std::size_t i = 0; i < hk.size(); ++i) {
        const MeanErr h = over_sets([&](const SetOutcome& o2) { return o2.grad_h[i]; });
        const MeanErr z = over_sets([&](const SetOutcome& o2) { return o2.grad_z[i]; });
        const MeanErr r = over_sets([&](const SetOutcome& o2) { return o2.grad_r[i]; });
        res.grad_norm_Jh.push_back(h.mean), res.grad_norm_Jh_err.push_back(h.stderr_);
        res.grad_norm_Jz.push_back(z.mean), res.grad_norm_Jz_err.push_back(z.stderr_);
        res.grad_norm_Jr.push_back(r.mean), res.grad_norm_Jr_err.push_back(r.stderr_);
    }
    // Growth rate: slope of the mean profile over [fit_from T, T]; error from the sets and the halves.
    const double s_min = o.fit_from * o.horizon;
    std::string growth_note;
    if (res.finite) {
        res.growth_rate = detail::fit_growth(s_all, mean_ln, s_min, false).first;
        std::vector<double> g_sets;
        for (const auto& st : sets) g_sets.push_back(detail::fit_growth(s_all, st.lnA2, s_min, false).first);
        const MeanErr ge = mean_err(g_sets);
        const double s_mid = 0.5 * (s_min + o.horizon);
        std::vector<double> s_lo, y_lo;
        for (std::size_t k = 0; k < K && s_all[k] <= s_mid + 1e-12; ++k) s_lo.push_back(s_all[k]), y_lo.push_back(mean_ln[k]);
        const double g_lo = detail::fit_growth(s_lo, y_lo, s_min, false).first;
        const double g_hi = detail::fit_growth(s_all, mean_ln, s_mid, false).first;
        const double spread = std::isfinite(g_lo) && std::isfinite(g_hi) ? 0.5 * std::abs(g_hi - g_lo) : 0.0;
        res.growth_rate_err = std::sqrt(ge.stderr_ * ge.stderr_ + spread * spread);
        growth_note = "growth rate " + fmt("%.6g", res.growth_rate) + " +- " + fmt("%.2g", res.growth_rate_err) +
                      " per tau_h (set SE " + fmt("%.2g", ge.stderr_) + ", halves " + fmt("%.6g", g_lo) + " / " +
                      fmt("%.6g", g_hi) + ")";
    } else {
        growth_note = "the adjoint became non-finite at s = " + fmt("%.6g", res.nonfinite_at);
    }
    if (std::isfinite(forward.lambda_max)) {
        res.reference_growth = 2 * forward.lambda_max;
        res.reference_source = "2 lambda_max of the forward solution (" +
                               (forward.lambda_method.empty() ? std::string("lyapunov") : forward.lambda_method) + ")";
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    std::ostringstream msg;
    msg << "sampled adjoint: " << S << " random set(s) of " << L.P << " paths on " << K << " steps of " << L.ds
        << " (horizon " << o.horizon << "), forward from " << source_note << "; " << growth_note
        << "; clipped weight: forward embeddings " << fmt("%.1e", clipped_fwd) << ", causal factors "
        << fmt("%.1e", clipped_fac) << "; kept pivots " << fmt("%.3f", active);
    if (std::isfinite(res.reference_growth))
        msg << "; reference " << fmt("%.6g", res.reference_growth) << " (" << res.reference_source << ")";
    res.message = msg.str();
    return res;
}

}  // namespace gdmft
