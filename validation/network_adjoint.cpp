#include "validation/network_adjoint.hpp"

#include <stdexcept>

namespace gdmft::sim {

NetworkAdjoint::NetworkAdjoint(const Network& net)
    : net_(net), p_(net.params()), phi_(p_.phi_fn()), gz_(p_.gate_z()), gr_(p_.gate_r()),
      n_(static_cast<Eigen::Index>(net.N())) {
    // The layouts of network.hpp: state rows h | z (if a state) | r (if a state); Jgates rows z (if
    // simulated) | r (if simulated).
    z_used_ = p_.alpha_z != 0.0;
    r_used_ = p_.alpha_r != 0.0;
    z_state_ = net.z_in_state();
    r_state_ = net.r_in_state();
    Eigen::Index row = n_;
    if (z_state_) z_row_ = row, row += n_;
    if (r_state_) r_row_ = row, row += n_;
    if (static_cast<std::size_t>(row) != net.dim()) throw std::logic_error("NetworkAdjoint: unexpected state layout");
    Eigen::Index grow = 0;
    if (net.z_simulated()) gz_row_ = grow, grow += n_;
    if (net.r_simulated()) gr_row_ = grow, grow += n_;
    z_active_ = z_used_ || z_state_;
    r_active_ = r_used_ || r_state_;
    need_g_ = z_active_ || r_active_;
    // Active rows of Jgates: z rows then r rows, each block present only if active (contiguous, since a
    // block of Jgates exists for every active gate and z comes first).
    if (z_active_ && r_active_) act_row0_ = 0, act_rows_ = grow;
    else if (z_active_) act_row0_ = gz_row_, act_rows_ = n_;
    else if (r_active_) act_row0_ = gr_row_, act_rows_ = n_;
    if (z_used_ && r_used_) grad_row0_ = 0, grad_rows_ = 2 * n_, grad_z_off_ = 0, grad_r_off_ = n_;
    else if (z_used_) grad_row0_ = gz_row_, grad_rows_ = n_, grad_z_off_ = 0;
    else if (r_used_) grad_row0_ = gr_row_, grad_rows_ = n_, grad_r_off_ = 0;
    slots_ = 1 + (z_used_ ? 2 : 0) + (r_used_ ? 1 : 0);
}

void NetworkAdjoint::evaluate(const Eigen::MatrixXd& x, Eigen::MatrixXd& f, double* rec) const {
    const Eigen::Index n = n_;
    const double sr0 = gr_.at_zero(), sz0 = gz_.at_zero(), th = p_.tau_h;
    const Eigen::VectorXd& input = net_.input();
    P_.resize(n, 1);
    for (Eigen::Index i = 0; i < n; ++i) P_(i, 0) = phi_(x(i, 0));
    if (need_g_) net_.Jgates().multiply(P_, G_);
    // Record slots: h | z, drive (sigma_z varies) | r (sigma_r varies).
    double* rh = rec;
    double* rz = z_used_ ? rec + n : nullptr;
    double* rd = z_used_ ? rec + 2 * n : nullptr;
    double* rr = r_used_ ? rec + (z_used_ ? 3 : 1) * n : nullptr;
    Q_.resize(n, 1);
    Eigen::VectorXd sz(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        rh[i] = x(i, 0);
        double sr = sr0;
        if (r_used_) {
            const double r = r_state_ ? x(r_row_ + i, 0) : G_(gr_row_ + i, 0) + 0.0;
            rr[i] = r;
            sr = gr_(r);
        }
        sz(i) = sz0;
        if (z_used_) {
            const double z = z_state_ ? x(z_row_ + i, 0) : G_(gz_row_ + i, 0) + 0.0;
            rz[i] = z;
            sz(i) = gz_(z);
        }
        Q_(i, 0) = sr * P_(i, 0);
    }
    net_.Jh().multiply(Q_, U_);
    f.resize(static_cast<Eigen::Index>(net_.dim()), 1);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double drive = -x(i, 0) + U_(i, 0) + input(i);
        if (z_used_) rd[i] = drive;
        f(i, 0) = sz(i) / th * drive;
    }
    if (z_state_)
        for (Eigen::Index i = 0; i < n; ++i) f(z_row_ + i, 0) = (G_(gz_row_ + i, 0) + 0.0 - x(z_row_ + i, 0)) / p_.tau_z;
    if (r_state_)
        for (Eigen::Index i = 0; i < n; ++i) f(r_row_ + i, 0) = (G_(gr_row_ + i, 0) + 0.0 - x(r_row_ + i, 0)) / p_.tau_r;
}

void NetworkAdjoint::vjp(const double* rec, const Eigen::MatrixXd& C, Eigen::MatrixXd& Xbar,
                         StageCotangents& out) const {
    const Eigen::Index n = n_, R = C.cols();
    const double sr0 = gr_.at_zero(), sz0 = gz_.at_zero(), th = p_.tau_h;
    const double* rh = rec;
    const double* rz = z_used_ ? rec + n : nullptr;
    const double* rd = z_used_ ? rec + 2 * n : nullptr;
    const double* rr = r_used_ ? rec + (z_used_ ? 3 : 1) * n : nullptr;

    // Per-unit coefficients at this stage.
    Eigen::ArrayXd c_sz(n), c_dp(n), c_sr(n), c_z, c_r;  // sigma_z/tau_h, phi', sigma_r, zbar/C_h, rbar/Qbar
    if (z_used_) c_z.resize(n);
    if (r_used_) c_r.resize(n);
    out.q.resize(n);
    out.p.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double h = rh[i], p = phi_(h);
        double sr = sr0, sz = sz0;
        if (r_used_) {
            sr = gr_(rr[i]);
            c_r(i) = p_.alpha_r * sr * (1.0 - sr) * p;
        }
        if (z_used_) {
            sz = gz_(rz[i]);
            c_z(i) = p_.alpha_z * sz * (1.0 - sz) / th * rd[i];
        }
        c_sz(i) = sz / th;
        c_dp(i) = phi_.deriv(h);
        c_sr(i) = sr;
        out.p(i) = p;
        out.q(i) = sr * p;
    }

    const auto Ch = C.topRows(n).array();
    out.u.resize(n, R);
    out.u.array() = Ch.colwise() * c_sz;
    net_.Jh().multiply_transposed(out.u, Qbar_);  // Qbar = Jh^T Ubar

    Xbar.resize(C.rows(), R);
    if (need_g_) {
        Gbar_.resize(act_rows_, R);
        if (z_active_) {
            auto gz = Gbar_.middleRows(gz_row_ - act_row0_, n).array();
            if (z_state_)
                gz = C.middleRows(z_row_, n).array() / p_.tau_z;
            else
                gz = Ch.colwise() * c_z;
        }
        if (r_active_) {
            auto gr = Gbar_.middleRows(gr_row_ - act_row0_, n).array();
            if (r_state_)
                gr = C.middleRows(r_row_, n).array() / p_.tau_r;
            else
                gr = Qbar_.array().colwise() * c_r;
        }
        net_.Jgates().multiply_transposed(Gbar_, Pbar_, static_cast<std::size_t>(act_row0_), act_rows_);
        Xbar.topRows(n).array() = (Qbar_.array().colwise() * c_sr + Pbar_.array()).colwise() * c_dp - Ch.colwise() * c_sz;
        out.g = Gbar_.middleRows(grad_row0_ - act_row0_, grad_rows_);
    } else {
        Xbar.topRows(n).array() = (Qbar_.array().colwise() * c_sr).colwise() * c_dp - Ch.colwise() * c_sz;
        out.g.resize(0, R);
    }
    if (z_state_) {
        auto xz = Xbar.middleRows(z_row_, n).array();
        xz = -C.middleRows(z_row_, n).array() / p_.tau_z;
        if (z_used_) xz += Ch.colwise() * c_z;
    }
    if (r_state_) {
        auto xr = Xbar.middleRows(r_row_, n).array();
        xr = -C.middleRows(r_row_, n).array() / p_.tau_r;
        if (r_used_) xr += Qbar_.array().colwise() * c_r;
    }
}

}  // namespace gdmft::sim
