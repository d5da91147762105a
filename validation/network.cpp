#include "validation/network.hpp"

#include "numerics/memory.hpp"

#include "validation/random.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace gdmft::sim {

namespace {

// Runs body(i0, i1) over fixed blocks of rows [0, n), shared among the OpenMP threads when the work is
// large enough to repay a parallel region (element-wise work is ~1% of a step's matrix products).
// The work is row-local, so the result does not depend on the thread count.
template <class Body>
void for_row_blocks(std::size_t n, int cols, Body&& body) {
    constexpr std::ptrdiff_t kRows = 256;
    const std::ptrdiff_t nb = (static_cast<std::ptrdiff_t>(n) + kRows - 1) / kRows;
    if (nb == 1 || static_cast<std::ptrdiff_t>(n) * cols < 32768) {
        body(Eigen::Index(0), static_cast<Eigen::Index>(n));
        return;
    }
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t b = 0; b < nb; ++b)
        body(static_cast<Eigen::Index>(b * kRows), static_cast<Eigen::Index>(std::min<std::ptrdiff_t>((b + 1) * kRows, n)));
}

}  // namespace

Network::Network(const ModelParams& p, const NetworkOptions& o)
    : p_(p), phi_(p.phi_fn()), gz_(p.gate_z()), gr_(p.gate_r()), N_(o.N), seed_(o.seed) {
    z_sim_ = p.alpha_z != 0.0 || o.track_gates;
    r_sim_ = p.alpha_r != 0.0 || o.track_gates;
    z_state_ = z_sim_ && p.tau_z > 0.0;
    r_state_ = r_sim_ && p.tau_r > 0.0;
    z_rhs_ = p.alpha_z != 0.0 || z_state_;
    r_rhs_ = p.alpha_r != 0.0 || r_state_;
    const Eigen::Index n = static_cast<Eigen::Index>(N_);
    Eigen::Index row = n;
    if (z_state_) z_row_ = row, row += n;
    if (r_state_) r_row_ = row, row += n;
    dim_ = static_cast<std::size_t>(row);

    single_tangent_ = o.single_precision && o.single_precision_tangent;
    {  // every coupling matrix is N x N: stop before allocating what cannot fit
        const double matrices = 1.0 + (z_sim_ ? 1.0 : 0.0) + (r_sim_ ? 1.0 : 0.0);
        const double n2 = static_cast<double>(N_) * static_cast<double>(N_);
        require_memory("N", matrices * n2 * (o.single_precision ? sizeof(float) : sizeof(double)),
                       "the couplings of N = " + std::to_string(N_) + " units");
    }
    Jh_ = CouplingMatrix(N_, o.seed, {kStreamJh}, {p.g_h}, o.single_precision);
    std::vector<std::uint64_t> streams;
    std::vector<double> gains;
    Eigen::Index grow = 0;
    if (z_sim_) streams.push_back(kStreamJz), gains.push_back(p.g_z), gz_row_ = grow, grow += n;
    if (r_sim_) streams.push_back(kStreamJr), gains.push_back(p.g_r), gr_row_ = grow, grow += n;
    if (!streams.empty()) Jg_ = CouplingMatrix(N_, o.seed, streams, gains, o.single_precision);

    input_.resize(n);
    NormalStream rng(derive_seed(o.seed, kStreamInput));
    for (Eigen::Index i = 0; i < n; ++i) input_(i) = p.input_mean + p.input_std * rng.normal();
    bound_ = Jh_.max_abs_row_sum(0, N_) + input_.cwiseAbs().maxCoeff();
    if (!Jg_.empty()) bound_ = std::max(bound_, Jg_.max_abs_row_sum(0, Jg_.rows()));
}

Network Network::with_couplings(CouplingMatrix Jh, CouplingMatrix Jgates) const {
    if (Jh.rows() != Jh_.rows() || Jh.cols() != Jh_.cols() || Jgates.rows() != Jg_.rows() ||
        (!Jg_.empty() && Jgates.cols() != Jg_.cols()))
        throw std::logic_error("Network::with_couplings: the couplings must keep their shapes");
    Network n = *this;
    n.Jh_ = std::move(Jh);
    n.Jg_ = std::move(Jgates);
    n.Jh_panels_ = CouplingPanels();
    n.Jg_panels_ = CouplingPanels();
    n.bound_ = n.Jh_.max_abs_row_sum(0, N_) + input_.cwiseAbs().maxCoeff();
    if (!n.Jg_.empty()) n.bound_ = std::max(n.bound_, n.Jg_.max_abs_row_sum(0, n.Jg_.rows()));
    return n;
}

std::size_t Network::bytes_per_rhs() const { return Jh_.bytes() + ((z_rhs_ || r_rhs_) ? Jg_.bytes() : 0); }

Eigen::VectorXd Network::initial_state(int m) const {
    Eigen::VectorXd x = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(dim_));
    NormalStream rng(derive_seed(derive_seed(seed_, kStreamInit), static_cast<std::uint64_t>(m)));
    for (std::size_t i = 0; i < N_; ++i) x(static_cast<Eigen::Index>(i)) = rng.normal();
    return x;
}

void Network::product(const CouplingMatrix& J, CouplingPanels& panels, const Eigen::MatrixXd& X, Eigen::MatrixXd& Y,
                      const Columns& cols) const {
    if (cols.K == 0 || cols.total() < kPanelColumns) {
        J.multiply(X, Y);
        return;
    }
    if (panels.empty()) panels = CouplingPanels(J);
    panels.multiply(X, Y, single_tangent_ ? cols.M : -1);
}

void Network::rhs(const Eigen::MatrixXd& X, Eigen::MatrixXd& dX, const Columns& cols, GateInput b) const {
    const Eigen::Index n = static_cast<Eigen::Index>(N_);
    const int C = cols.total(), M = cols.M;
    const double sr0 = gr_.at_zero(), sz0 = gz_.at_zero(), th = p_.tau_h;
    // Per-trajectory quantities, one group of M columns each.
    enum { kDphi = 0, kSr, kSrp, kSz, kSzp, kDrive, kGroups };
    P_.resize(n, C);
    D_.resize(n, kGroups * M);
    auto grp = [&](int g, int m) { return g * M + m; };

    // Phase A: P = [phi(h) | phi'(h) v_h] (the vectors the couplings act on), phi'(h).
    for_row_blocks(N_, C, [&](Eigen::Index i0, Eigen::Index i1) {
        for (int m = 0; m < M; ++m)
            for (Eigen::Index i = i0; i < i1; ++i) {
                const double h = X(i, m);
                P_(i, m) = phi_(h);
                D_(i, grp(kDphi, m)) = phi_.deriv(h);
            }
        for (int c = M; c < C; ++c) {
            const int m = cols.base_of(c);
            for (Eigen::Index i = i0; i < i1; ++i) P_(i, c) = D_(i, grp(kDphi, m)) * X(i, c);
        }
    });

    // Gate fields [Jz; Jr] P (instantaneous gate values, or the drive of gate states).
    const bool need_g = z_rhs_ || r_rhs_;
    if (need_g) product(Jg_, Jg_panels_, P_, G_, cols);
    // Gate variable (trajectory) or its perturbation (tangent) of column c at row i. The gate input b
    // enters the trajectory columns only (instantaneous gates here, gate states in phase C).
    auto zval = [&](Eigen::Index i, int c) {
        return z_state_ ? X(z_row_ + i, c) : G_(gz_row_ + i, c) + (c < M ? b.z : 0.0);
    };
    auto rval = [&](Eigen::Index i, int c) {
        return r_state_ ? X(r_row_ + i, c) : G_(gr_row_ + i, c) + (c < M ? b.r : 0.0);
    };
    const bool z_used = z_sim_ && p_.alpha_z != 0.0;  // sigma_z varies
    const bool r_used = r_sim_ && p_.alpha_r != 0.0;  // sigma_r varies

    // Phase B: gates and Q = [sigma_r phi | sigma_r' dr phi + sigma_r dphi] (the input of Jh).
    Q_.resize(n, C);
    for_row_blocks(N_, C, [&](Eigen::Index i0, Eigen::Index i1) {
        for (int m = 0; m < M; ++m)
            for (Eigen::Index i = i0; i < i1; ++i) {
                const double sr = r_used ? gr_(rval(i, m)) : sr0;
                const double sz = z_used ? gz_(zval(i, m)) : sz0;
                D_(i, grp(kSr, m)) = sr;
                D_(i, grp(kSrp, m)) = r_used ? p_.alpha_r * sr * (1.0 - sr) : 0.0;
                D_(i, grp(kSz, m)) = sz;
                D_(i, grp(kSzp, m)) = z_used ? p_.alpha_z * sz * (1.0 - sz) : 0.0;
                Q_(i, m) = sr * P_(i, m);
            }
        for (int c = M; c < C; ++c) {
            const int m = cols.base_of(c);
            for (Eigen::Index i = i0; i < i1; ++i) {
                double q = D_(i, grp(kSr, m)) * P_(i, c);
                if (r_used) q += D_(i, grp(kSrp, m)) * rval(i, c) * P_(i, m);
                Q_(i, c) = q;
            }
        }
    });

    // Recurrent field U = Jh Q.
    product(Jh_, Jh_panels_, Q_, U_, cols);

    // Phase C: time derivatives.
    dX.resize(static_cast<Eigen::Index>(dim_), C);
    for_row_blocks(N_, C, [&](Eigen::Index i0, Eigen::Index i1) {
        for (int m = 0; m < M; ++m)
            for (Eigen::Index i = i0; i < i1; ++i) {
                const double drive = -X(i, m) + U_(i, m) + input_(i);
                D_(i, grp(kDrive, m)) = drive;
                dX(i, m) = D_(i, grp(kSz, m)) / th * drive;
            }
        for (int c = M; c < C; ++c) {
            const int m = cols.base_of(c);
            for (Eigen::Index i = i0; i < i1; ++i) {
                double d = D_(i, grp(kSz, m)) / th * (-X(i, c) + U_(i, c));
                if (z_used) d += D_(i, grp(kSzp, m)) * zval(i, c) / th * D_(i, grp(kDrive, m));
                dX(i, c) = d;
            }
        }
        for (int c = 0; c < C; ++c) {
            const double bz = c < M ? b.z : 0.0, br = c < M ? b.r : 0.0;
            if (z_state_)
                for (Eigen::Index i = i0; i < i1; ++i)
                    dX(z_row_ + i, c) = (G_(gz_row_ + i, c) + bz - X(z_row_ + i, c)) / p_.tau_z;
            if (r_state_)
                for (Eigen::Index i = i0; i < i1; ++i)
                    dX(r_row_ + i, c) = (G_(gr_row_ + i, c) + br - X(r_row_ + i, c)) / p_.tau_r;
        }
    });
}

Observables Network::observe(const Eigen::MatrixXd& X, int c, GateInput b) const {
    const Eigen::Index n = static_cast<Eigen::Index>(N_);
    Observables o;
    o.h = X.block(0, c, n, 1);
    Eigen::MatrixXd G;
    if ((z_sim_ && !z_state_) || (r_sim_ && !r_state_)) {
        Eigen::MatrixXd a = o.h.unaryExpr([this](double h) { return phi_(h); });
        Jg_.multiply(a, G);
    }
    if (z_sim_)
        o.z = z_state_ ? Eigen::VectorXd(X.block(z_row_, c, n, 1))
                       : Eigen::VectorXd(G.block(gz_row_, 0, n, 1).array() + b.z);
    if (r_sim_)
        o.r = r_state_ ? Eigen::VectorXd(X.block(r_row_, c, n, 1))
                       : Eigen::VectorXd(G.block(gr_row_, 0, n, 1).array() + b.r);
    if (z_sim_)
        o.sigma_z = o.z.unaryExpr([this](double z) { return gz_(z); });
    else
        o.sigma_z = Eigen::VectorXd::Constant(n, gz_.at_zero());
    return o;
}

}  // namespace gdmft::sim
