#include "validation/jacobian_spectrum.hpp"

#include "numerics/errors.hpp"
#include "numerics/memory.hpp"
#include "numerics/progress.hpp"
#include "numerics/stats.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace gdmft::sim {

Eigen::VectorXd rhs_of(const Network& net, const Eigen::VectorXd& x) {
    Eigen::MatrixXd X = x, dX;
    net.rhs(X, dX, Columns{1, 0});
    return dX.col(0);
}

Eigen::MatrixXd dense_jacobian(const Network& net, const Eigen::VectorXd& x, int block) {
    const Eigen::Index dim = static_cast<Eigen::Index>(net.dim());
    if (x.size() != dim) throw BadInput("x", "state has the wrong dimension (dense_jacobian)");
    block = std::max(1, block);
    Eigen::MatrixXd J(dim, dim), X, dX;
    for (Eigen::Index k0 = 0; k0 < dim; k0 += block) {
        const Eigen::Index nb = std::min<Eigen::Index>(block, dim - k0);
        X.setZero(dim, 1 + nb);
        X.col(0) = x;
        for (Eigen::Index j = 0; j < nb; ++j) X(k0 + j, 1 + j) = 1.0;
        net.rhs(X, dX, Columns{1, static_cast<int>(nb)});
        J.middleCols(k0, nb) = dX.rightCols(nb);
    }
    return J;
}

Eigen::VectorXd fixed_point_equations(const Network& net, const Eigen::VectorXd& x, const Eigen::VectorXd& F) {
    const Eigen::Index n = static_cast<Eigen::Index>(net.N());
    const Eigen::VectorXd sz = net.observe(Eigen::MatrixXd(x), 0).sigma_z;
    const ModelParams& p = net.params();
    Eigen::VectorXd R = F;
    R.head(n).array() *= p.tau_h / sz.array();
    Eigen::Index row = n;
    if (net.z_in_state()) {
        R.segment(row, n) *= p.tau_z;
        row += n;
    }
    if (net.r_in_state()) R.segment(row, n) *= p.tau_r;
    return R;
}

double fixed_point_residual(const Network& net, const Eigen::VectorXd& x, const Eigen::VectorXd& F) {
    const double res = fixed_point_equations(net, x, F).cwiseAbs().maxCoeff();
    return std::isfinite(res) ? res : std::numeric_limits<double>::infinity();
}

void NewtonOptions::validate() const {
    if (!(tol > 0) || !std::isfinite(tol)) throw BadInput("newton_tol", "must be a finite number > 0");
    if (max_iterations < 1) throw BadInput("newton_iterations", "must be >= 1");
    if (max_halvings < 0) throw BadInput("newton_halvings", "must be >= 0");
}

NewtonResult newton_fixed_point(const Network& net, const Eigen::VectorXd& x0, const NewtonOptions& o) {
    o.validate();
    NewtonResult r;
    r.x = x0;
    Eigen::VectorXd F = rhs_of(net, r.x);
    r.residual = fixed_point_residual(net, r.x, F);
    Progress progress(o.observer, "spectrum: Newton", o.max_iterations);
    for (r.iterations = 0; r.iterations < o.max_iterations; ++r.iterations) {
        r.history.push_back(r.residual);
        if (r.residual < o.tol) {
            r.converged = true;
            break;
        }
        const Eigen::MatrixXd J = dense_jacobian(net, r.x);
        const Eigen::VectorXd dx = -J.partialPivLu().solve(F);
        if (!dx.allFinite()) {
            r.message = "the Jacobian is singular at iteration " + std::to_string(r.iterations);
            break;
        }
        const double f0 = fixed_point_equations(net, r.x, F).norm();
        double t = 1.0;
        bool accepted = false;
        for (int k = 0; k <= o.max_halvings; ++k, t *= 0.5) {
            const Eigen::VectorXd xn = r.x + t * dx;
            const Eigen::VectorXd Fn = rhs_of(net, xn);
            if (Fn.allFinite() && fixed_point_equations(net, xn, Fn).norm() <= (1.0 - 1e-4 * t) * f0) {
                r.x = xn;
                F = Fn;
                accepted = true;
                break;
            }
        }
        if (!accepted) {
            std::ostringstream os;
            os << "line search failed at iteration " << r.iterations << " (no decrease of |R| down to step 2^-"
               << o.max_halvings << "; residual " << r.residual << ")";
            r.message = os.str();
            break;
        }
        r.residual = fixed_point_residual(net, r.x, F);
        std::ostringstream extra;
        extra << "residual " << r.residual << ", step " << t;
        progress.update(r.iterations + 1, extra.str());
    }
    if (!r.converged && r.message.empty()) {
        if (r.residual < o.tol) {
            r.converged = true;
        } else {
            std::ostringstream os;
            os << "no convergence in " << o.max_iterations << " iterations (residual " << r.residual << ")";
            r.message = os.str();
        }
    }
    if (r.converged) {
        std::ostringstream os;
        os << "converged in " << r.iterations << " iterations (residual " << r.residual << ")";
        r.message = os.str();
        if (r.history.empty() || r.history.back() != r.residual) r.history.push_back(r.residual);
    } else {
        r.history.push_back(r.residual);
    }
    progress.finish(r.message);
    return r;
}

ModelParams frozen_clock(const ModelParams& p) {
    ModelParams q = p;
    q.alpha_z = 0.0;
    q.beta_z = 0.0;
    return q;
}

NewtonResult find_fixed_point(const Network& net, const NetworkOptions& net_opt, const Eigen::VectorXd& x0,
                              const NewtonOptions& o) {
    const ModelParams& p = net.params();
    if (p.alpha_z == 0.0) return newton_fixed_point(net, x0, o);
    NetworkOptions to = net_opt;
    to.track_gates = false;
    const Network twin(frozen_clock(p), to);
    const Eigen::Index n = static_cast<Eigen::Index>(net.N());
    const Eigen::Index r_row = n + (net.z_in_state() ? n : 0);
    if (twin.N() != net.N() || twin.r_in_state() != net.r_in_state() || twin.z_in_state())
        throw std::logic_error("find_fixed_point: the frozen-clock twin has a different layout");
    Eigen::VectorXd y(static_cast<Eigen::Index>(twin.dim()));
    y.head(n) = x0.head(n);
    if (net.r_in_state()) y.tail(n) = x0.segment(r_row, n);
    NewtonResult first = newton_fixed_point(twin, y, o);
    if (!first.converged) {
        first.message = "frozen-clock stage: " + first.message;
        first.x = x0;
        return first;
    }
    Eigen::VectorXd x = x0;
    x.head(n) = first.x.head(n);
    if (net.r_in_state()) x.segment(r_row, n) = first.x.tail(n);
    if (net.z_in_state()) x.segment(n, n) += p.tau_z * rhs_of(net, x).segment(n, n);  // z = Jz phi(h): F_z is linear in z
    NewtonResult second = newton_fixed_point(net, x, o);
    second.message = "frozen clock: " + std::to_string(first.iterations) + " iterations, then " + second.message;
    second.iterations += first.iterations;
    first.history.insert(first.history.end(), second.history.begin(), second.history.end());
    second.history = first.history;
    return second;
}

Eigen::VectorXcd eigenvalues_of(const Eigen::MatrixXd& J) {
    Eigen::EigenSolver<Eigen::MatrixXd> es(J, false);
    if (es.info() != Eigen::Success) throw NumericalFailure("EigenSolver: the QR iteration did not converge");
    Eigen::VectorXcd ev = es.eigenvalues();
    std::vector<std::complex<double>> v(ev.data(), ev.data() + ev.size());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.real() != b.real() ? a.real() > b.real() : a.imag() > b.imag();
    });
    for (Eigen::Index k = 0; k < ev.size(); ++k) ev(k) = v[static_cast<std::size_t>(k)];
    return ev;
}

SiteSamples site_samples(const Network& net, const Eigen::VectorXd& x) {
    const Eigen::Index n = static_cast<Eigen::Index>(net.N());
    const Eigen::VectorXd F = rhs_of(net, x);
    const Observables o = net.observe(Eigen::MatrixXd(x), 0);
    const double th = net.params().tau_h;
    SiteSamples s;
    s.h.assign(o.h.data(), o.h.data() + n);
    s.drive.resize(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!(o.sigma_z(i) > 0))
            throw NumericalFailure("site_samples: sigma_z underflowed to 0 at unit " + std::to_string(i) +
                                   " (the drive cannot be read off F_h)");
        s.drive[static_cast<std::size_t>(i)] = F(i) * th / o.sigma_z(i);
    }
    if (o.z.size() > 0) s.z.assign(o.z.data(), o.z.data() + n);
    if (o.r.size() > 0) s.r.assign(o.r.data(), o.r.data() + n);
    return s;
}

Eigen::MatrixXd jacobian_from_factors(const Network& net, const SiteSamples& s, const Eigen::MatrixXd& Jh,
                                      const Eigen::MatrixXd& Jz, const Eigen::MatrixXd& Jr) {
    const ModelParams& p = net.params();
    const Eigen::Index n = static_cast<Eigen::Index>(s.h.size());
    const bool zsim = net.z_simulated(), rsim = net.r_simulated(), zs = net.z_in_state(), rs = net.r_in_state();
    if (Jh.rows() != n || Jh.cols() != n || (zsim && (Jz.rows() != n || Jz.cols() != n)) ||
        (rsim && (Jr.rows() != n || Jr.cols() != n)) || static_cast<Eigen::Index>(s.drive.size()) != n ||
        (zsim && static_cast<Eigen::Index>(s.z.size()) != n) || (rsim && static_cast<Eigen::Index>(s.r.size()) != n))
        throw BadInput("samples", "sizes of the samples and couplings differ (jacobian_from_factors)");
    const Phi phi = p.phi_fn();
    const Gate gz = p.gate_z(), gr = p.gate_r();
    Eigen::VectorXd L(n), Lz(n), X1(n), X3(n), P(n);  // sigma_z/tau_h, sigma_z' D/tau_h, sigma_r phi', sigma_r' phi, phi'
    for (Eigen::Index i = 0; i < n; ++i) {
        const std::size_t k = static_cast<std::size_t>(i);
        const double z = zsim ? s.z[k] : 0.0, r = rsim ? s.r[k] : 0.0;
        L(i) = gz(z) / p.tau_h, Lz(i) = gz.deriv(z) * s.drive[k] / p.tau_h;
        P(i) = phi.deriv(s.h[k]), X1(i) = gr(r) * P(i), X3(i) = gr.deriv(r) * phi(s.h[k]);
    }
    const Eigen::Index dim = n * (1 + zs + rs);
    Eigen::MatrixXd J = Eigen::MatrixXd::Zero(dim, dim);
    auto hh = J.topLeftCorner(n, n);
    hh = L.asDiagonal() * Jh * X1.asDiagonal();
    if (zsim && !zs) hh += Lz.asDiagonal() * Jz * P.asDiagonal();
    if (rsim && !rs) hh += L.asDiagonal() * Jh * (X3.asDiagonal() * (Jr * P.asDiagonal()));
    hh.diagonal() -= L;
    Eigen::Index row = n;
    if (zs) {
        J.block(0, row, n, n).diagonal() = Lz;
        J.block(row, 0, n, n) = Jz * P.asDiagonal() / p.tau_z;
        J.block(row, row, n, n).diagonal().setConstant(-1.0 / p.tau_z);
        row += n;
    }
    if (rs) {
        J.block(0, row, n, n) = L.asDiagonal() * Jh * X3.asDiagonal();
        J.block(row, 0, n, n) = Jr * P.asDiagonal() / p.tau_r;
        J.block(row, row, n, n).diagonal().setConstant(-1.0 / p.tau_r);
    }
    return J;
}

namespace {

Eigen::MatrixXd gaussian_matrix(Eigen::Index n, double g, NormalStream& rng) {
    const double sd = g / std::sqrt(static_cast<double>(n));
    Eigen::MatrixXd A(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) A(i, j) = sd * rng.normal();
    return A;
}

}  // namespace

ExactEnsemble exact_ensemble(const Network& net, const SiteSamples& s, int draws, std::uint64_t seed, std::size_t size,
                             const Observer* observer) {
    if (draws < 0) throw BadInput("exact_ensemble", "must be >= 0");
    const ModelParams& p = net.params();
    const std::size_t n = s.h.size();
    ExactEnsemble e;
    e.size = size > 0 ? size : n;
    Progress progress(observer, "spectrum: exact ensemble (dim " + std::to_string(e.size * net.dim() / net.N()) + ")", draws);
    for (int k = 0; k < draws; ++k) {
        NormalStream rng(derive_seed(seed, static_cast<std::uint64_t>(k)));
        SiteSamples t;
        if (size > 0) {
            for (std::size_t i = 0; i < size; ++i) {
                const std::size_t q = static_cast<std::size_t>(rng.uniform() * static_cast<double>(n)) % n;
                t.h.push_back(s.h[q]), t.drive.push_back(s.drive[q]);
                if (!s.z.empty()) t.z.push_back(s.z[q]);
                if (!s.r.empty()) t.r.push_back(s.r[q]);
            }
        } else {
            t = s;
        }
        const Eigen::Index m = static_cast<Eigen::Index>(e.size);
        const Eigen::MatrixXd Jh = gaussian_matrix(m, p.g_h, rng);
        const Eigen::MatrixXd Jz = net.z_simulated() ? gaussian_matrix(m, p.g_z, rng) : Eigen::MatrixXd();
        const Eigen::MatrixXd Jr = net.r_simulated() ? gaussian_matrix(m, p.g_r, rng) : Eigen::MatrixXd();
        e.rightmost.push_back(eigenvalues_of(jacobian_from_factors(net, t, Jh, Jz, Jr))(0).real());
        progress.update(k + 1);
    }
    progress.finish();
    if (!e.rightmost.empty()) {
        const MeanErr me = mean_err(e.rightmost);
        e.mean = me.mean;
        if (me.n > 1) e.sd = me.sd;
    }
    return e;
}

SpectrumAt parse_spectrum_at(const std::string& s) {
    if (s == "fixedpoint") return SpectrumAt::FixedPoint;
    if (s == "snapshot") return SpectrumAt::Snapshot;
    throw BadInput("at", "must be 'fixedpoint' or 'snapshot', got '" + s + "'");
}

std::string to_string(SpectrumAt a) { return a == SpectrumAt::FixedPoint ? "fixedpoint" : "snapshot"; }

SpectrumComparison compare_spectrum(const Network& net, const Eigen::VectorXcd& eig, const SupportModel& s,
                                    double inflate, double epsilon) {
    SpectrumComparison c;
    const std::size_t n = static_cast<std::size_t>(eig.size());
    c.n_eigenvalues = static_cast<int>(n);
    c.outlier.assign(n, 0);
    const ModelParams& p = net.params();
    const int N = static_cast<int>(net.N());
    if (net.z_in_state() && !s.z_term()) c.outliers.push_back({"z", {-1.0 / p.tau_z, 0.0}, N, 0.0});
    if (net.r_in_state() && !s.r_term()) c.outliers.push_back({"r", {-1.0 / p.tau_r, 0.0}, N, 0.0});
    for (auto& cl : c.outliers) {
        std::vector<std::size_t> idx;
        for (std::size_t k = 0; k < n; ++k)
            if (!c.outlier[k]) idx.push_back(k);
        const std::size_t take = std::min<std::size_t>(static_cast<std::size_t>(cl.count), idx.size());
        std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(take), idx.end(),
                          [&](std::size_t a, std::size_t b) { return std::abs(eig(a) - cl.point) < std::abs(eig(b) - cl.point); });
        for (std::size_t j = 0; j < take; ++j) {
            c.outlier[idx[j]] = 1;
            cl.max_distance = std::max(cl.max_distance, std::abs(eig(idx[j]) - cl.point));
        }
    }
    int inside = 0, inside_inflated = 0, near_zero = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (std::abs(eig(k)) < epsilon) ++near_zero;
        if (c.outlier[k]) continue;
        ++c.n_bulk;
        const std::complex<double> l = eig(k);
        c.rightmost_measured = c.n_bulk == 1 ? l.real() : std::max(c.rightmost_measured, l.real());
        inside += in_support(s, l);
        if (in_inflated_support(s, inflate, l))
            ++inside_inflated;
        else
            c.outside.push_back(l);
    }
    if (c.n_bulk > 0) {
        c.fraction_inside = static_cast<double>(inside) / c.n_bulk;
        c.fraction_inside_inflated = static_cast<double>(inside_inflated) / c.n_bulk;
    }
    if (n > 0) c.near_zero_fraction = static_cast<double>(near_zero) / static_cast<double>(n);
    if (net.N() > 0) c.near_zero_per_unit = static_cast<double>(near_zero) / static_cast<double>(net.N());
    return c;
}

SpectrumState prepare_state(const Network& net, const NetworkOptions& net_opt, SpectrumAt at, double t_burn,
                            const IntegratorOptions& integ_opt, const NewtonOptions& newton) {
    if (!(t_burn >= 0) || !std::isfinite(t_burn)) throw BadInput("t_burn", "must be a finite number >= 0");
    if (!(integ_opt.dt > 0) || !std::isfinite(integ_opt.dt)) throw BadInput("dt", "must be a finite number > 0");
    if (at == SpectrumAt::FixedPoint) newton.validate();
    // The dense Jacobian, its copy in the eigenvalue solver and the solver's workspace: ~3 dim^2 doubles.
    const double dim = static_cast<double>(net.dim());
    require_memory("N", 3 * dim * dim * sizeof(double),
                   "the dense Jacobian of dimension " + std::to_string(net.dim()) + " and its eigenvalue solve");
    SpectrumState st;
    Eigen::MatrixXd X = net.initial_state(0);
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, Columns{1, 0}); };
    Integrator integ(integ_opt);
    Progress progress(newton.observer, "spectrum: burn-in", t_burn);
    double t = 0;
    const double chunk = std::max(1.0, t_burn / 50);
    while (t < t_burn) {
        integ.advance(f, X, t, std::min(t_burn, t + chunk));
        if (!X.allFinite()) {
            std::ostringstream os;
            os << "the state became non-finite by t = " << t << " (use a smaller --dt)";
            throw NumericalFailure(os.str());
        }
        progress.update(t);
    }
    progress.finish();
    st.x = X.col(0);
    if (at == SpectrumAt::FixedPoint) {
        st.newton_run = true;
        st.newton = find_fixed_point(net, net_opt, st.x, newton);
        st.x = st.newton.x;
    }
    return st;
}

}  // namespace gdmft::sim
