#pragma once
// The transpose of the network's Jacobian (THEORY.md 7, finite N): the right-hand side of one trajectory
// evaluated together with the values its vector-Jacobian product needs (a "stage record"), and that
// product for a block of cotangent columns (the readouts), matrix-matrix in the couplings.
//
// For F the right-hand side of network.hpp (gate input b = 0) and a cotangent C of F(x) (dim x R):
//   vjp gives  Xbar = (dF/dx)^T C                        (dim x R)
//              Ubar = C_h sigma_z / tau_h                 (N x R: dL/dJh += Ubar q^T, q = sigma_r(r) phi(h))
//              Gbar = cotangent of the gate fields [Jz; Jr] phi(h)   (dL/d[Jz; Jr] += Gbar p^T, p = phi(h))
// Per unit (u = Jh q, drive = -h + u + I, instantaneous gates z = (Jz p)_i, r = (Jr p)_i):
//   Qbar = Jh^T Ubar,  zbar = C_h sigma_z'(z) drive / tau_h,  rbar = Qbar sigma_r'(r) p
//   Gbar_z = C_z / tau_z (z a state) or zbar (z instantaneous), likewise r
//   Pbar = Qbar sigma_r(r) + [Jz; Jr]^T Gbar
//   Xbar_h = Pbar phi'(h) - C_h sigma_z / tau_h,  Xbar_z = zbar - C_z / tau_z,  Xbar_r = rbar - C_r / tau_r
// A gate with alpha = 0 has sigma' = 0 (zbar = rbar = 0); if it is tracked its state rows still follow
// tau dz/dt = -z + Jz p, whose transpose is kept (it stays exactly 0 for a loss on h alone).
#include "validation/network.hpp"

#include <Eigen/Dense>

namespace gdmft::sim {

// Cotangents of the coupling products of one stage (see the header comment).
struct StageCotangents {
    Eigen::MatrixXd u;  // N x R: dL/dJh += u q^T
    Eigen::MatrixXd g;  // (rows of the gates with a gradient) x R: dL/d[Jz; Jr](rows) += g p^T
    Eigen::VectorXd q;  // sigma_r(r) phi(h)
    Eigen::VectorXd p;  // phi(h)
};

class NetworkAdjoint {
public:
    explicit NetworkAdjoint(const Network& net);

    const Network& network() const { return net_; }
    // Doubles in one stage record: h, then z and the drive if sigma_z varies, then r if sigma_r varies.
    Eigen::Index record_size() const { return slots_ * n_; }

    // f = F(x) for one trajectory (dim rows), the same arithmetic as Network::rhs with Columns{1, 0} and
    // b = 0 (the same coupling products: equal bit for bit), and the stage record in rec[0, record_size()).
    void evaluate(const Eigen::MatrixXd& x, Eigen::MatrixXd& f, double* rec) const;

    // Xbar = (dF/dx)^T C at the recorded stage, and the coupling cotangents (see the header comment).
    void vjp(const double* rec, const Eigen::MatrixXd& C, Eigen::MatrixXd& Xbar, StageCotangents& out) const;

    // Rows of [Jz; Jr] (Network::Jgates) that get a gradient: the gates with alpha != 0 (a contiguous
    // block; empty when neither). grad_Jz_offset / grad_Jr_offset: where Jz and Jr start in that block
    // (-1: absent).
    Eigen::Index grad_gate_row0() const { return grad_row0_; }
    Eigen::Index grad_gate_rows() const { return grad_rows_; }
    Eigen::Index grad_Jz_offset() const { return grad_z_off_; }
    Eigen::Index grad_Jr_offset() const { return grad_r_off_; }

private:
    const Network& net_;
    ModelParams p_;
    Phi phi_;
    Gate gz_, gr_;
    Eigen::Index n_;
    int slots_ = 1;
    bool z_used_, r_used_;      // sigma_z, sigma_r vary (alpha != 0)
    bool z_state_, r_state_;    // state rows (network.hpp layout)
    bool need_g_;               // the gate fields [Jz; Jr] p enter F
    Eigen::Index z_row_ = -1, r_row_ = -1;    // first state row of z, r
    Eigen::Index gz_row_ = -1, gr_row_ = -1;  // first row of z, r in Jgates
    bool z_active_, r_active_;                // the gate's field has a cotangent (state rows or alpha != 0)
    Eigen::Index act_row0_ = 0, act_rows_ = 0;  // rows of Jgates in the transposed product
    Eigen::Index grad_row0_ = 0, grad_rows_ = 0, grad_z_off_ = -1, grad_r_off_ = -1;

    mutable Eigen::MatrixXd P_, G_, Q_, U_, Qbar_, Gbar_, Pbar_;  // workspace
};

}  // namespace gdmft::sim
