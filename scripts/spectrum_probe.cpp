// Diagnostic for the rightmost point of the Jacobian support at chaotic snapshots (README, "gdmft spectrum").
// Built by scripts/spectrum_probe.sh against the libraries of a build directory; not part of the CMake build.
//
// For one network (params, N, seed) integrated to t_burn it prints one JSON line with:
//   measured    rightmost bulk eigenvalue of the network's Jacobian, fraction inside the 5% inflation
//   pred_fact   rightmost on the real axis of the support model of the code (support_model_samples: h-side and clock
//               averages taken separately, z Gaussian)
//   pred_joint  the same construction with the per-unit joint averages (spectral radius of the 2x2 moment matrix of the
//               rank-2 variance profile, no factorization)
//   fresh       rightmost eigenvalue of the "boundary model's own random matrix": the same per-unit diagonal factors
//               (h, z, r, D of the snapshot) with fresh independent couplings: its support is pred_joint as N -> inf
//   shuffled    as fresh, with (z, D) permuted across units: the factorized support is then exact (pred_shuf)
// and a check that the Jacobian assembled here from the network's own couplings equals dense_jacobian.
#include "dmft/support_boundary.hpp"
#include "numerics/progress.hpp"
#include "validation/jacobian_spectrum.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <string>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

// Per-unit diagonal factors of the Jacobian at a state.
struct Factors {
    Eigen::VectorXd sz, szp, D, sr, srp, ph, php;  // sigma_z, sigma_z', drive, sigma_r, sigma_r', phi, phi'
};

Factors factors_of(const ModelParams& m, const SiteSamples& s) {
    const std::size_t n = s.h.size();
    const Phi phi = m.phi_fn();
    const Gate gz = m.gate_z(), gr = m.gate_r();
    Factors f;
    for (auto* v : {&f.sz, &f.szp, &f.D, &f.sr, &f.srp, &f.ph, &f.php}) v->resize(static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
        const Eigen::Index k = static_cast<Eigen::Index>(i);
        const double z = s.z.empty() ? 0.0 : s.z[i], r = s.r.empty() ? 0.0 : s.r[i];
        f.sz(k) = gz(z), f.szp(k) = gz.deriv(z), f.D(k) = s.drive[i];
        f.sr(k) = gr(r), f.srp(k) = gr.deriv(r), f.ph(k) = phi(s.h[i]), f.php(k) = phi.deriv(s.h[i]);
    }
    return f;
}

// The Jacobian with z and r as state rows when they are simulated (tau > 0 only).
Eigen::MatrixXd assemble(const ModelParams& m, const Factors& f, const Eigen::MatrixXd& Jh, const Eigen::MatrixXd& Jz,
                         const Eigen::MatrixXd& Jr, bool zs, bool rs) {
    const Eigen::Index n = f.sz.size();
    const Eigen::Index dim = n * (1 + zs + rs);
    Eigen::MatrixXd J = Eigen::MatrixXd::Zero(dim, dim);
    const Eigen::VectorXd L = f.sz / m.tau_h;
    J.topLeftCorner(n, n) = L.asDiagonal() * Jh * (f.sr.array() * f.php.array()).matrix().asDiagonal();
    J.topLeftCorner(n, n).diagonal() -= L;
    Eigen::Index row = n;
    if (zs) {
        J.block(0, row, n, n).diagonal() = (f.szp.array() * f.D.array() / m.tau_h).matrix();
        J.block(row, 0, n, n) = Jz * f.php.asDiagonal() / m.tau_z;
        J.block(row, row, n, n).diagonal().setConstant(-1.0 / m.tau_z);
        row += n;
    }
    if (rs) {
        J.block(0, row, n, n) = L.asDiagonal() * Jh * (f.srp.array() * f.ph.array()).matrix().asDiagonal();
        J.block(row, 0, n, n) = Jr * f.php.asDiagonal() / m.tau_r;
        J.block(row, row, n, n).diagonal().setConstant(-1.0 / m.tau_r);
    }
    return J;
}

Eigen::MatrixXd gaussian(Eigen::Index n, double g, std::mt19937_64& rng) {
    std::normal_distribution<double> nd(0.0, g / std::sqrt(static_cast<double>(n)));
    Eigen::MatrixXd A(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) A(i, j) = nd(rng);
    return A;
}

// Joint (unfactorized) support function: spectral radius of the 2x2 moment matrix of the rank-2 variance profile
// s_ij = u1_i w_j + u2_i v_j, M_ab = mean_i (col_a)_i (row_b)_i.
double F_joint(const ModelParams& m, const Factors& f, std::complex<double> lam) {
    const Eigen::Index n = f.sz.size();
    const double ar = (f.srp.array().square() * f.ph.array().square()).mean();
    const double cz = std::norm(1.0 + m.tau_z * lam), cr = std::norm(1.0 + m.tau_r * lam);
    double M11 = 0, M12 = 0, M21 = 0, M22 = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double den = std::norm(m.tau_h * lam + f.sz(i));
        const double u1 = m.g_h * m.g_h * f.sz(i) * f.sz(i) / den;
        const double u2 = m.alpha_z != 0 ? m.g_z * m.g_z * f.szp(i) * f.szp(i) * f.D(i) * f.D(i) / (den * cz) : 0.0;
        const double p2 = f.php(i) * f.php(i);
        const double w = f.sr(i) * f.sr(i) * p2 + (m.alpha_r != 0 ? m.g_r * m.g_r * ar * p2 / cr : 0.0);
        M11 += w * u1, M12 += w * u2, M21 += p2 * u1, M22 += p2 * u2;
    }
    M11 /= n, M12 /= n, M21 /= n, M22 /= n;
    const double tr = M11 + M22, det = M11 * M22 - M12 * M21;
    return 0.5 * (tr + std::sqrt(std::max(0.0, tr * tr - 4 * det)));
}

// Largest real x with F_joint(x) >= 1: F_joint decreases for x > x_lo = max(-min sz / tau_h, -1/tau_z, -1/tau_r).
double rightmost_joint(const ModelParams& m, const Factors& f) {
    double lo = -f.sz.minCoeff() / m.tau_h;
    if (m.alpha_z != 0 && m.tau_z > 0) lo = std::max(lo, -1.0 / m.tau_z);
    if (m.alpha_r != 0 && m.tau_r > 0) lo = std::max(lo, -1.0 / m.tau_r);
    lo += 1e-12;
    double hi = 10.0;
    if (F_joint(m, f, lo) < 1) return lo;
    while (F_joint(m, f, hi) >= 1) hi *= 2;
    for (int it = 0; it < 200 && hi - lo > 1e-12; ++it) {
        const double mid = 0.5 * (lo + hi);
        (F_joint(m, f, mid) >= 1 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double rightmost_real(const Eigen::VectorXcd& e) {
    double r = -1e300;
    for (Eigen::Index k = 0; k < e.size(); ++k) r = std::max(r, e(k).real());
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, double> a{{"N", 1000}, {"seed", 1},    {"g_h", 3},    {"alpha_z", 5}, {"alpha_r", 0},
                                    {"tau_z", 1}, {"tau_r", 1},  {"t_burn", 100}, {"fresh", 1}, {"shuffle", 1},
                                    {"input_std", 0}, {"g_r", 1}, {"check", 1},
                                    {"boot_N", 0}, {"boot", 0}, {"eig", 1}};
    for (int k = 1; k < argc; ++k) {
        const std::string s = argv[k];
        const auto eq = s.find('=');
        if (eq == std::string::npos || !a.count(s.substr(0, eq))) {
            std::fprintf(stderr, "unknown argument %s\n", s.c_str());
            return 2;
        }
        a[s.substr(0, eq)] = std::atof(s.substr(eq + 1).c_str());
    }
    ModelParams m;
    m.g_h = a["g_h"], m.alpha_z = a["alpha_z"], m.alpha_r = a["alpha_r"], m.tau_z = a["tau_z"], m.tau_r = a["tau_r"];
    m.input_std = a["input_std"], m.g_r = a["g_r"];
    const std::size_t N = static_cast<std::size_t>(a["N"]);
    const std::uint64_t seed = static_cast<std::uint64_t>(a["seed"]);
    const NetworkOptions no{N, seed, false, false};
    const Network net(m, no);
    if (net.z_simulated() != net.z_in_state() || net.r_simulated() != net.r_in_state()) {
        std::fprintf(stderr, "instantaneous gates are not handled by this probe\n");
        return 2;
    }
    const SpectrumState st = prepare_state(net, no, SpectrumAt::Snapshot, a["t_burn"], IntegratorOptions{}, NewtonOptions{});
    const SiteSamples s = site_samples(net, st.x);
    const Factors f = factors_of(m, s);
    const Eigen::Index n = static_cast<Eigen::Index>(N);
    const bool zs = net.z_in_state(), rs = net.r_in_state();

    const Eigen::MatrixXd J = dense_jacobian(net, st.x);
    std::printf("{\"N\": %zu, \"seed\": %llu, \"g_h\": %g, \"alpha_z\": %g, \"alpha_r\": %g, \"tau_z\": %g, \"tau_r\": %g, "
                "\"input_std\": %g, \"t_burn\": %g",
                N, static_cast<unsigned long long>(seed), m.g_h, m.alpha_z, m.alpha_r, m.tau_z, m.tau_r, m.input_std,
                a["t_burn"]);
    if (a["check"] != 0) {  // the assembly from per-unit factors reproduces the network's tangent Jacobian
        Eigen::MatrixXd Jh(n, n), Jz, Jr;
        for (Eigen::Index i = 0; i < n; ++i)
            for (Eigen::Index j = 0; j < n; ++j) Jh(i, j) = net.Jh()(i, j);
        Eigen::Index row = 0;
        if (zs) {
            Jz.resize(n, n);
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j) Jz(i, j) = net.Jgates()(row + i, j);
            row += n;
        }
        if (rs) {
            Jr.resize(n, n);
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j) Jr(i, j) = net.Jgates()(row + i, j);
        }
        std::printf(", \"assembly_error\": %.3g", (assemble(m, f, Jh, Jz, Jr, zs, rs) - J).cwiseAbs().maxCoeff());
    }
    const Eigen::VectorXcd eig = a["eig"] != 0 ? eigenvalues_of(J) : Eigen::VectorXcd(Eigen::VectorXcd::Zero(1));
    const SupportModel fact = support_model_samples(m, s, 20, "snapshot");
    const SpectrumComparison cmp = compare_spectrum(net, eig, fact, 1.05, 0.05);
    const double pf = rightmost_on_real_axis(fact, 20.0);
    const double pj = rightmost_joint(m, f);
    const double slope = (F_joint(m, f, pj + 1e-4) - F_joint(m, f, pj - 1e-4)) / 2e-4;
    std::printf(", \"F0_joint\": %.4f, \"dF_joint\": %.4f", F_joint(m, f, 0.0), slope);
    int inside_joint = 0;
    for (Eigen::Index k = 0; k < eig.size(); ++k) inside_joint += F_joint(m, f, eig(k)) >= 1.0;
    // The second and third largest real parts among the bulk (the edge's order statistics).
    std::vector<double> re;
    for (Eigen::Index k = 0; k < eig.size(); ++k)
        if (!cmp.outlier[static_cast<std::size_t>(k)]) re.push_back(eig(k).real());
    std::sort(re.rbegin(), re.rend());
    std::printf(", \"measured\": %.5f, \"measured_2\": %.5f, \"measured_5\": %.5f, \"pred_fact\": %.5f, \"pred_joint\": %.5f, "
                "\"inside_fact\": %.4f, \"inside_fact_inflated\": %.4f, \"inside_joint\": %.4f, \"var_z\": %.4f, "
                "\"min_sz\": %.3g",
                cmp.rightmost_measured, re.size() > 1 ? re[1] : NAN, re.size() > 4 ? re[4] : NAN, pf, pj,
                cmp.fraction_inside, cmp.fraction_inside_inflated,
                static_cast<double>(inside_joint) / static_cast<double>(eig.size()), fact.var_z, f.sz.minCoeff());
    std::mt19937_64 rng(1000003 * seed + 17);
    for (int k = 0; k < static_cast<int>(a["fresh"]); ++k) {
        const Eigen::MatrixXd Jh = gaussian(n, m.g_h, rng);
        const Eigen::MatrixXd Jz = zs ? gaussian(n, m.g_z, rng) : Eigen::MatrixXd();
        const Eigen::MatrixXd Jr = rs ? gaussian(n, m.g_r, rng) : Eigen::MatrixXd();
        std::printf(", \"fresh_%d\": %.5f", k, rightmost_real(eigenvalues_of(assemble(m, f, Jh, Jz, Jr, zs, rs))));
    }
    // The exact ensemble at another size: per-unit factors resampled (with replacement) from the snapshot, fresh
    // couplings; its support as boot_N -> infinity is pred_joint.
    if (a["boot"] > 0) std::printf(", \"boot_N\": %d", static_cast<int>(a["boot_N"]));
    for (int k = 0; k < static_cast<int>(a["boot"]); ++k) {
        const Eigen::Index nb = static_cast<Eigen::Index>(a["boot_N"]);
        std::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
        Factors b;
        for (auto* v : {&b.sz, &b.szp, &b.D, &b.sr, &b.srp, &b.ph, &b.php}) v->resize(nb);
        for (Eigen::Index i = 0; i < nb; ++i) {
            const Eigen::Index q = pick(rng);
            b.sz(i) = f.sz(q), b.szp(i) = f.szp(q), b.D(i) = f.D(q), b.sr(i) = f.sr(q), b.srp(i) = f.srp(q);
            b.ph(i) = f.ph(q), b.php(i) = f.php(q);
        }
        const Eigen::MatrixXd Jh = gaussian(nb, m.g_h, rng);
        const Eigen::MatrixXd Jz = zs ? gaussian(nb, m.g_z, rng) : Eigen::MatrixXd();
        const Eigen::MatrixXd Jr = rs ? gaussian(nb, m.g_r, rng) : Eigen::MatrixXd();
        std::printf(", \"boot_%d\": %.5f", k, rightmost_real(eigenvalues_of(assemble(m, b, Jh, Jz, Jr, zs, rs))));
    }
    if (zs && a["shuffle"] > 0) {
        std::vector<std::size_t> perm(N);
        std::iota(perm.begin(), perm.end(), std::size_t(0));
        std::shuffle(perm.begin(), perm.end(), rng);
        SiteSamples t = s;
        for (std::size_t i = 0; i < N; ++i) t.z[i] = s.z[perm[i]], t.drive[i] = s.drive[perm[i]];
        const Factors g = factors_of(m, t);
        std::printf(", \"pred_shuf_joint\": %.5f, \"pred_shuf_fact\": %.5f", rightmost_joint(m, g),
                    rightmost_on_real_axis(support_model_samples(m, t, 20, "shuffled"), 20.0));
        for (int k = 0; k < static_cast<int>(a["shuffle"]); ++k) {
            const Eigen::MatrixXd Jh = gaussian(n, m.g_h, rng);
            const Eigen::MatrixXd Jz = gaussian(n, m.g_z, rng);
            const Eigen::MatrixXd Jr = rs ? gaussian(n, m.g_r, rng) : Eigen::MatrixXd();
            std::printf(", \"shuffled_%d\": %.5f", k, rightmost_real(eigenvalues_of(assemble(m, g, Jh, Jz, Jr, zs, rs))));
        }
    }
    std::printf("}\n");
    return 0;
}
