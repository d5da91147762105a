// Counting fixed points of finite networks (see the header).
#include "validation/fixed_point_count.hpp"

#include "numerics/errors.hpp"
#include "validation/couplings.hpp"
#include "validation/network.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace gdmft::sim {

namespace {

// Stream of the search's starts under the network seed (after the Network's own streams).
constexpr std::uint64_t kStartsStream = 17;

Eigen::MatrixXd dense(const CouplingMatrix& J) {
    Eigen::MatrixXd M(J.rows(), J.cols());
    for (std::size_t i = 0; i < J.rows(); ++i)
        for (std::size_t j = 0; j < J.cols(); ++j) M(i, j) = J(i, j);
    return M;
}

// Deflation factor: ln M(h) and its gradient.
struct Deflation {
    const std::vector<CountedRoot>* roots;
    double p, shift;
    double log_factor(const Eigen::VectorXd& h, Eigen::VectorXd* grad) const {
        double lm = 0;
        if (grad) grad->setZero(h.size());
        for (const auto& r : *roots) {
            const Eigen::VectorXd d = h - r.h;
            const double r2 = std::max(d.squaredNorm(), 1e-300);
            const double rp = std::pow(r2, -0.5 * p);
            lm += std::log(rp + shift);
            if (grad) *grad += (-p * rp / r2 / (rp + shift)) * d;
        }
        return lm;
    }
};

}  // namespace

FixedPointSystem::FixedPointSystem(const ModelParams& m, std::size_t N, std::uint64_t seed_) : model(m), seed(seed_) {
    Jh = dense(CouplingMatrix(N, seed, {kStreamJh}, {m.g_h}, false));
    Jr = dense(CouplingMatrix(N, seed, {kStreamJr}, {m.g_r}, false));
    input = Eigen::VectorXd::Zero(N);
    if (m.input_mean != 0 || m.input_std != 0) {
        NetworkOptions o;
        o.N = N;
        o.seed = seed;
        input = Network(m, o).input();
    }
}

// phi is odd (tanh, erf); with alpha_r != 0, h -> -h flips r = Jr phi(h) and sigma_r is not even, so the
// symmetry needs a constant output gate besides no input.
bool FixedPointSystem::odd() const { return input.cwiseAbs().maxCoeff() == 0 && model.alpha_r == 0; }

Eigen::VectorXd FixedPointSystem::F(const Eigen::VectorXd& h) const {
    const Phi phi = model.phi_fn();
    const Gate gr = model.gate_r();
    const Eigen::VectorXd p = h.unaryExpr([&](double u) { return phi(u); });
    Eigen::VectorXd s;
    if (gr.constant()) s = Eigen::VectorXd::Constant(h.size(), gr.at_zero());
    else s = (Jr * p).unaryExpr([&](double u) { return gr(u); });
    return -h + Jh * s.cwiseProduct(p) + input;
}

Eigen::MatrixXd FixedPointSystem::DF(const Eigen::VectorXd& h) const {
    const Phi phi = model.phi_fn();
    const Gate gr = model.gate_r();
    const Eigen::VectorXd p = h.unaryExpr([&](double u) { return phi(u); });
    const Eigen::VectorXd dp = h.unaryExpr([&](double u) { return phi.deriv(u); });
    Eigen::MatrixXd K;
    if (gr.constant()) {
        K = (gr.at_zero() * dp).asDiagonal();
    } else {
        const Eigen::VectorXd r = Jr * p;
        const Eigen::VectorXd s = r.unaryExpr([&](double u) { return gr(u); });
        const Eigen::VectorXd ds = r.unaryExpr([&](double u) { return gr.deriv(u); });
        K = ds.cwiseProduct(p).asDiagonal() * Jr * dp.asDiagonal();
        K.diagonal() += s.cwiseProduct(dp);
    }
    Eigen::MatrixXd D = Jh * K;
    D.diagonal().array() -= 1.0;
    return D;
}

NetworkCount count_fixed_points(const FixedPointSystem& sys, const CountOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    NetworkCount out;
    const Eigen::Index N = sys.Jh.rows();
    const double sqrtN = std::sqrt(double(N));
    const bool symmetric = o.use_symmetry && sys.odd();
    Deflation defl{&out.roots, o.deflation_power, o.deflation_shift};

    // Starts: random at the radii, then trajectory points.
    const int n_random = o.resolved_random_starts(), n_traj = o.resolved_trajectory_starts();
    std::vector<Eigen::VectorXd> starts;
    NormalStream rng(derive_seed(sys.seed, kStartsStream));
    for (int k = 0; k < n_random; ++k) {
        Eigen::VectorXd h(N);
        for (Eigen::Index i = 0; i < N; ++i) h(i) = rng.normal();
        starts.push_back(o.radii[k % o.radii.size()] * h);
    }
    if (n_traj > 0) {
        Eigen::VectorXd h(N);
        for (Eigen::Index i = 0; i < N; ++i) h(i) = rng.normal();
        const double dt = 0.05;
        const int steps = std::max(1, int(std::lround(o.trajectory_spacing / dt)));
        for (int k = 0; k < n_traj; ++k) {
            for (int s = 0; s < steps; ++s) {  // RK2 (midpoint) on dh/dt = F(h)
                const Eigen::VectorXd mid = h + 0.5 * dt * sys.F(h);
                h += dt * sys.F(mid);
            }
            starts.push_back(h);
        }
    }
    // Interleave trajectory points with random starts so both halves of the search use both kinds.
    std::vector<Eigen::VectorXd> order;
    {
        const std::size_t nr = n_random, nt = starts.size() - nr;
        std::size_t ir = 0, it = 0;
        while (ir < nr || it < nt) {
            if (ir < nr) order.push_back(starts[ir++]);
            if (it < nt && (ir * nt >= it * nr || ir >= nr)) order.push_back(starts[nr + it++]);
        }
    }
    out.starts = static_cast<int>(order.size());

    auto add_root = [&](const Eigen::VectorXd& h, int at) {
        for (const auto& r : out.roots)
            if ((r.h - h).norm() < o.dedup_tol * sqrtN) return false;
        CountedRoot r;
        r.h = h;
        r.norm2 = h.squaredNorm() / N;
        r.residual = sys.F(h).cwiseAbs().maxCoeff();
        const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(sys.DF(h), false).eigenvalues();
        double max_re = -INFINITY;
        for (Eigen::Index i = 0; i < ev.size(); ++i) {
            r.unstable += ev(i).real() > 0;
            max_re = std::max(max_re, ev(i).real());
        }
        r.stable = max_re < 0;
        r.found_at = at;
        out.roots.push_back(r);
        return true;
    };

    // h = 0 is a root whenever there is no input (phi(0) = 0): include it when certified, since Newton rarely
    // lands on it once a nearby pair exists (a regression: N = 25, g_eff = 2 missed it).
    if (sys.F(Eigen::VectorXd::Zero(N)).cwiseAbs().maxCoeff() < o.residual_tol) add_root(Eigen::VectorXd::Zero(N), 0);
    for (int k = 0; k < out.starts; ++k) {
        Eigen::VectorXd h = order[k];
        bool done = false;
        for (int it = 0; it < o.newton_iterations && !done; ++it) {
            const Eigen::VectorXd f = sys.F(h);
            const Eigen::PartialPivLU<Eigen::MatrixXd> lu(sys.DF(h));
            const Eigen::VectorXd d0 = lu.solve(-f);
            if (!d0.allFinite()) break;
            Eigen::VectorXd g;
            const double lm = defl.log_factor(h, &g);
            const double denom = 1.0 - g.dot(d0);
            Eigen::VectorXd d = std::abs(denom) > 1e-12 ? Eigen::VectorXd(d0 / denom) : d0;
            // Backtracking on the deflated residual |M F|.
            const double merit = std::exp(lm) * f.norm();
            double a = 1.0;
            bool descent = false;
            Eigen::VectorXd hn;
            for (int ls = 0; ls < 30 && !descent; ++ls) {
                hn = h + a * d;
                descent = std::exp(defl.log_factor(hn, nullptr)) * sys.F(hn).norm() < (1 - 1e-4 * a) * merit;
                if (!descent) a *= 0.5;
            }
            if (!descent) break;  // stagnation (a local minimum of |M F|): this start has failed
            h = hn;
            if (!h.allFinite() || h.norm() > 1e6 * sqrtN) break;
            done = sys.F(h).cwiseAbs().maxCoeff() < 1e-2 * o.residual_tol || a * d.norm() < 1e-13 * (1 + h.norm());
        }
        // Polish by plain Newton and certify.
        for (int it = 0; it < 6 && h.allFinite(); ++it) h += sys.DF(h).partialPivLu().solve(-sys.F(h));
        if (!h.allFinite() || sys.F(h).cwiseAbs().maxCoeff() >= o.residual_tol) {
            ++out.failed_starts;
            continue;
        }
        bool fresh = add_root(h, k);
        if (symmetric) fresh = add_root(Eigen::VectorXd(-h), k) || fresh;
        if (fresh && k >= out.starts / 2) ++out.found_late;
    }
    std::sort(out.roots.begin(), out.roots.end(), [](const CountedRoot& a, const CountedRoot& b) { return a.norm2 < b.norm2; });
    out.saturated = out.found_late == 0;
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

CountResult count_fixed_points(const ModelParams& model, const CountOptions& o) {
    model.validate();
    if (o.N < 2) throw BadInput("N", "must be >= 2");
    if (o.networks < 1) throw BadInput("networks", "must be >= 1");
    if (o.random_starts < -1) throw BadInput("starts", "must be >= 0, or -1 for automatic");
    if (o.trajectory_starts < -1) throw BadInput("trajectory_starts", "must be >= 0, or -1 for automatic");
    if (o.resolved_random_starts() + o.resolved_trajectory_starts() < 2) throw BadInput("starts", "need at least 2 starts");
    if (o.radii.empty()) throw BadInput("radii", "need at least one radius");
    if (!(o.residual_tol > 0) || !(o.dedup_tol > 0)) throw BadInput("residual_tol", "tolerances must be > 0");
    const auto t0 = std::chrono::steady_clock::now();
    CountResult res;
    double sum_n2 = 0, sum_u = 0;
    std::size_t nroots = 0;
    std::vector<double> counts, logs;
    for (int k = 0; k < o.networks; ++k) {
        const std::uint64_t seed = derive_seed(o.seed, static_cast<std::uint64_t>(k));
        NetworkCount c = count_fixed_points(FixedPointSystem(model, o.N, seed), o);
        c.seed = seed;
        for (const auto& r : c.roots) sum_n2 += r.norm2, sum_u += double(r.unstable) / o.N, ++nroots;
        counts.push_back(double(c.roots.size()));
        logs.push_back(std::log(double(std::max<std::size_t>(1, c.roots.size()))));
        res.networks.push_back(std::move(c));
    }
    auto mean_se = [](const std::vector<double>& v, double& mean, double& se) {
        mean = 0;
        for (double x : v) mean += x;
        mean /= v.size();
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        se = v.size() > 1 ? std::sqrt(ss / (v.size() - 1) / v.size()) : 0.0;
    };
    mean_se(counts, res.mean_count, res.stderr_count);
    mean_se(logs, res.mean_log_count, res.stderr_log_count);
    res.saturated = std::all_of(res.networks.begin(), res.networks.end(), [](const NetworkCount& c) { return c.saturated; });
    res.mean_norm2 = nroots ? sum_n2 / nroots : 0.0;
    res.unstable_fraction = nroots ? sum_u / nroots : 0.0;
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

}  // namespace gdmft::sim
