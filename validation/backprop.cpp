#include "validation/backprop.hpp"

#include "numerics/errors.hpp"
#include "validation/integrator.hpp"
#include "validation/network_adjoint.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace gdmft::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kStages = 4;          // classic RK4
constexpr Eigen::Index kBatch = 64;  // stages per rank-k update of the gradient accumulators
// A readout's adjoint is rescaled (by a power of two) when its largest entry leaves
// [2^-kRescaleExp, 2^(kRescaleExp+1));
// its accumulators when the adjoint's scale exceeds theirs by more than 2^kRescaleExp.
constexpr int kRescaleExp = 64;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// n = x / unit when x is a whole multiple of unit within 1e-9 (relative to n); 0 otherwise.
std::size_t whole_multiple(double x, double unit) {
    const double n = std::round(x / unit);
    if (!(n >= 1) || std::abs(x / unit - n) > 1e-9 * std::max(1.0, n)) return 0;
    return static_cast<std::size_t>(n);
}

std::string bytes_text(double b) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f bytes (%.3g GiB)", b, b / 1073741824.0);
    return buf;
}

// What the plan needs to know of a network.
struct Shape {
    std::size_t N = 0, dim = 0;
    Eigen::Index record = 0;      // doubles per stage record
    Eigen::Index grad_rows = 0;   // rows of [Jz; Jr] with a gradient
    double coupling_bytes = 0;
};

Shape shape_of(const ModelParams& p, std::size_t N, bool single_precision, bool track_gates) {
    Shape s;
    s.N = N;
    const bool z_sim = p.alpha_z != 0.0 || track_gates, r_sim = p.alpha_r != 0.0 || track_gates;
    s.dim = N * (1 + (z_sim && p.tau_z > 0 ? 1 : 0) + (r_sim && p.tau_r > 0 ? 1 : 0));
    s.record = static_cast<Eigen::Index>(N) * (1 + (p.alpha_z != 0.0 ? 2 : 0) + (p.alpha_r != 0.0 ? 1 : 0));
    s.grad_rows = static_cast<Eigen::Index>(N) * ((p.alpha_z != 0.0 ? 1 : 0) + (p.alpha_r != 0.0 ? 1 : 0));
    const double n2 = static_cast<double>(N) * static_cast<double>(N);
    s.coupling_bytes = (1.0 + (z_sim ? 1.0 : 0.0) + (r_sim ? 1.0 : 0.0)) * n2 * (single_precision ? 4.0 : 8.0);
    return s;
}

MemoryPlan plan_for(const Shape& s, int readouts, const AdjointWindow& w) {
    w.validate();
    if (readouts < 1) throw BadInput("readouts", "must be >= 1");
    MemoryPlan m;
    m.steps = w.steps();
    const double N = static_cast<double>(s.N), dim = static_cast<double>(s.dim), d = sizeof(double);
    const double state_bytes = dim * d;
    const double step_bytes = kStages * static_cast<double>(s.record) * d;
    std::size_t K = static_cast<std::size_t>(w.checkpoint_interval);
    if (K == 0)  // minimises checkpoints (steps / K states) + one segment (K steps of records)
        K = static_cast<std::size_t>(std::llround(std::sqrt(static_cast<double>(m.steps) * state_bytes / step_bytes)));
    K = std::clamp<std::size_t>(K, 1, m.steps);
    m.checkpoint_interval = K;
    m.checkpoints = (m.steps + K - 1) / K;
    m.checkpoint_bytes = static_cast<double>(m.checkpoints) * state_bytes;
    m.segment_bytes = static_cast<double>(K) * step_bytes + 2 * state_bytes;  // + the recomputed state
    m.coupling_bytes = s.coupling_bytes;
    const double grad_rows = static_cast<double>(s.grad_rows);
    // Per readout: the accumulators, the adjoint and 10 stage-sized temporaries (stage cotangents and
    // Xbar of 4 stages, products), the GEMM batches of kBatch stage columns.
    const double per_accum = (N + grad_rows) * N * d;
    const double per_work = (10 * dim + 4 * N + 2 * grad_rows + kBatch * (N + grad_rows)) * d;
    const double shared_work = (2 * kBatch * N + 16 * N) * d;  // batches of q and p, per-unit coefficients
    const double fixed = m.coupling_bytes + m.checkpoint_bytes + m.segment_bytes + shared_work;
    char lim[48];
    std::snprintf(lim, sizeof lim, "%.0f", w.memory_limit);
    const std::string limit = std::string("--memory-limit ") + lim;
    const std::string parts = "couplings " + bytes_text(m.coupling_bytes) + ", " + std::to_string(m.checkpoints) +
                              " checkpoints " + bytes_text(m.checkpoint_bytes) + ", one segment of " +
                              std::to_string(K) + " steps " + bytes_text(m.segment_bytes) +
                              ", one readout's gradient accumulators and workspace " +
                              bytes_text(per_accum + per_work);
    if (fixed + per_accum + per_work > w.memory_limit) {
        const double floor = m.coupling_bytes + shared_work + per_accum + per_work + 3 * state_bytes + step_bytes;
        if (floor > w.memory_limit)
            throw BadInput("memory-limit", "with " + limit + " even a horizon of one step needs " + bytes_text(floor) +
                                               " for N = " + std::to_string(s.N) + " (" + parts +
                                               "); raise --memory-limit or lower N");
        if (w.checkpoint_interval > 0)
            throw BadInput("checkpoint_interval", "with " + limit + " the plan needs " +
                                                      bytes_text(fixed + per_accum + per_work) + " (" + parts +
                                                      "); use 0 (automatic)");
        throw BadInput("horizon", "with " + limit + " the plan for " + std::to_string(m.steps) + " steps needs " +
                                      bytes_text(fixed + per_accum + per_work) + " (" + parts +
                                      "); shorten --horizon or raise --memory-limit");
    }
    const int fit = static_cast<int>(std::min<double>(readouts, std::floor((w.memory_limit - fixed) / (per_accum + per_work))));
    int group = w.readout_group > 0 ? std::min(w.readout_group, readouts) : fit;
    if (w.keep_gradients) group = readouts;  // every readout's matrices are returned anyway
    if (group > fit)
        throw BadInput(w.keep_gradients ? "keep_gradients" : "readout_group",
                       "with " + limit + " at most " + std::to_string(fit) + " readouts' accumulators fit (" + parts + ")");
    m.readout_group = group;
    m.groups = (readouts + group - 1) / group;
    m.accumulator_bytes = group * per_accum;
    m.workspace_bytes = group * per_work + shared_work;
    m.total_bytes = m.coupling_bytes + m.checkpoint_bytes + m.segment_bytes + m.accumulator_bytes + m.workspace_bytes;
    return m;
}

// log(|x|^2 / n) of a column block; -inf for zero.
double log_norm2(const Eigen::Ref<const Eigen::VectorXd>& x, double n) { return std::log(x.squaredNorm() / n); }

// The rank-k accumulation of the coupling gradients of one readout group: stage columns are collected
// into N x kBatch blocks, then G_r += U_r V^T for every readout r (Eigen GEMM, row blocks in parallel).
// Readout r's accumulators hold dL/dJ / 2^exp_[r]; pushed columns are in units of 2^shift_[r] of them.
class GradientAccumulator {
public:
    GradientAccumulator(Eigen::Index N, Eigen::Index grad_rows, int R)
        : N_(N), gr_(grad_rows), R_(R), Gh_(R), Gg_(R), exp_(R, 0), shift_(R, 0) {
        for (int r = 0; r < R; ++r) {
            Gh_[r] = Eigen::MatrixXd::Zero(N, N);
            if (gr_ > 0) Gg_[r] = Eigen::MatrixXd::Zero(gr_, N);
        }
        Ub_.resize(N, kBatch * R);
        Vh_.resize(N, kBatch);
        Vp_.resize(N, kBatch);
        if (gr_ > 0) Gb_.resize(gr_, kBatch * R);
    }

    void push(const StageCotangents& c) {
        for (int r = 0; r < R_; ++r) {
            const Eigen::Index col = r * kBatch + nb_;
            if (shift_[r] == 0) {
                Ub_.col(col) = c.u.col(r);
                if (gr_ > 0) Gb_.col(col) = c.g.col(r);
            } else {  // a power of two: exact unless the contribution underflows (then negligible)
                const double f = std::ldexp(1.0, shift_[r]);
                Ub_.col(col) = f * c.u.col(r);
                if (gr_ > 0) Gb_.col(col) = f * c.g.col(r);
            }
        }
        Vh_.col(nb_) = c.q;
        Vp_.col(nb_) = c.p;
        if (++nb_ == kBatch) flush();
    }

    void flush() {
        if (nb_ == 0) return;
        constexpr Eigen::Index kRows = 128;
        const Eigen::Index blocks_h = (N_ + kRows - 1) / kRows, blocks_g = (gr_ + kRows - 1) / kRows;
        const Eigen::Index per_r = blocks_h + blocks_g, tasks = per_r * R_, nb = nb_;
#pragma omp parallel for schedule(static) if (static_cast<double>(N_) * N_ * nb * R_ > 1e6)
        for (Eigen::Index t = 0; t < tasks; ++t) {
            const int r = static_cast<int>(t / per_r);
            const Eigen::Index b = t % per_r;
            if (b < blocks_h) {
                const Eigen::Index i0 = b * kRows, ni = std::min(kRows, N_ - i0);
                Gh_[r].middleRows(i0, ni).noalias() +=
                    Ub_.block(i0, r * kBatch, ni, nb) * Vh_.leftCols(nb).transpose();
            } else {
                const Eigen::Index i0 = (b - blocks_h) * kRows, ni = std::min(kRows, gr_ - i0);
                Gg_[r].middleRows(i0, ni).noalias() +=
                    Gb_.block(i0, r * kBatch, ni, nb) * Vp_.leftCols(nb).transpose();
            }
        }
        nb_ = 0;
    }

    // The readout's adjoint is now in units of 2^adjoint_exp: pushed columns are scaled to the
    // accumulators' units, and the accumulators are scaled down when the adjoint has outgrown them.
    void set_adjoint_exponent(int r, int adjoint_exp) {
        if (adjoint_exp - exp_[r] > kRescaleExp) {
            flush();
            const double f = std::ldexp(1.0, exp_[r] - adjoint_exp);
            Gh_[r] *= f;
            if (gr_ > 0) Gg_[r] *= f;
            exp_[r] = adjoint_exp;
        }
        if (adjoint_exp - exp_[r] != shift_[r]) {
            flush();
            shift_[r] = adjoint_exp - exp_[r];
        }
    }

    // log((1/N^2) sum_ij G_ij^2) over the rows [row0, row0 + N) of the gate block, or of Jh (gate = false).
    double log_norm(int r, bool gate, Eigen::Index row0) const {
        const double s = gate ? Gg_[r].middleRows(row0, N_).squaredNorm() : Gh_[r].squaredNorm();
        return std::log(s / (static_cast<double>(N_) * static_cast<double>(N_))) + 2.0 * exp_[r] * std::numbers::ln2;
    }
    Eigen::MatrixXd value(int r, bool gate, Eigen::Index row0) const {
        const double f = std::ldexp(1.0, exp_[r]);
        return gate ? Eigen::MatrixXd(f * Gg_[r].middleRows(row0, N_)) : Eigen::MatrixXd(f * Gh_[r]);
    }

private:
    Eigen::Index N_, gr_;
    int R_;
    std::vector<Eigen::MatrixXd> Gh_, Gg_;
    std::vector<int> exp_, shift_;
    Eigen::MatrixXd Ub_, Gb_, Vh_, Vp_;
    Eigen::Index nb_ = 0;
};

}  // namespace

void AdjointWindow::validate() const {
    if (!std::isfinite(dt) || !(dt > 0)) throw BadInput("dt", "must be a finite number > 0");
    if (!std::isfinite(horizon) || !(horizon > 0)) throw BadInput("horizon", "must be a finite number > 0");
    if (whole_multiple(horizon, dt) == 0)
        throw BadInput("horizon", "must be a whole multiple of dt = " + std::to_string(dt) + " (within 1e-9)");
    if (!std::isfinite(profile_spacing) || !(profile_spacing > 0) || whole_multiple(profile_spacing, dt) == 0)
        throw BadInput("profile_spacing", "must be a whole multiple (>= 1) of dt = " + std::to_string(dt));
    if (!(memory_limit > 0)) throw BadInput("memory-limit", "must be > 0 bytes");
    if (checkpoint_interval < 0) throw BadInput("checkpoint_interval", "must be >= 0 (0: automatic)");
    if (readout_group < 0) throw BadInput("readout_group", "must be >= 0 (0: as many as fit)");
}

std::size_t AdjointWindow::steps() const { return whole_multiple(horizon, dt); }
std::size_t AdjointWindow::profile_stride() const { return whole_multiple(profile_spacing, dt); }

std::string to_string(BackpropTermination t) {
    switch (t) {
        case BackpropTermination::Finished: return "finished";
        case BackpropTermination::ForwardNonFinite: return "forward state non-finite";
        case BackpropTermination::AdjointNonFinite: return "adjoint non-finite";
    }
    return "?";
}

MemoryPlan plan_memory(const ModelParams& p, std::size_t N, bool single_precision, int readouts,
                       const AdjointWindow& w) {
    return plan_for(shape_of(p, N, single_precision, false), readouts, w);
}

NetworkGradient network_gradient(const Network& net, const Eigen::VectorXd& x_t0, const Eigen::MatrixXd& W,
                                 const AdjointWindow& w, const Observer* observer) {
    const NetworkAdjoint adj(net);
    Shape shape = shape_of(net.params(), net.N(), net.Jh().single_precision(), false);
    shape.dim = net.dim();
    shape.record = adj.record_size();
    shape.coupling_bytes = static_cast<double>(net.Jh().bytes() + net.Jgates().bytes());
    const MemoryPlan plan = plan_for(shape, static_cast<int>(W.cols()), w);
    const Eigen::Index n = static_cast<Eigen::Index>(net.N()), dim = static_cast<Eigen::Index>(net.dim());
    if (x_t0.size() != dim) throw BadInput("state", "must have " + std::to_string(dim) + " rows (Network::dim)");
    if (!x_t0.allFinite()) throw BadInput("state", "must be finite");
    if (W.rows() != n) throw BadInput("readouts", "must have N = " + std::to_string(n) + " rows");
    if (!W.allFinite()) throw BadInput("readouts", "weights must be finite");

    const std::size_t S = plan.steps, K = plan.checkpoint_interval, stride = w.profile_stride();
    const int R = static_cast<int>(W.cols());
    const Eigen::Index npoints = static_cast<Eigen::Index>(S / stride) + 1, rec = adj.record_size();
    const bool z_rows = net.z_in_state(), r_rows = net.r_in_state();
    const Eigen::Index z_row = n, r_row = z_rows ? 2 * n : n;
    const bool grad_z = net.params().alpha_z != 0.0, grad_r = net.params().alpha_r != 0.0;

    NetworkGradient g;
    g.steps = S;
    for (Eigen::Index j = 0; j < npoints; ++j) g.t_before_horizon.push_back(static_cast<double>(j * stride) * w.dt);
    g.log_a_h2 = Eigen::MatrixXd::Constant(npoints, R, kNaN);
    if (z_rows) g.log_a_z2 = Eigen::MatrixXd::Constant(npoints, R, kNaN);
    if (r_rows) g.log_a_r2 = Eigen::MatrixXd::Constant(npoints, R, kNaN);
    g.log_grad_norm_Jh = Eigen::VectorXd::Constant(R, kNaN);
    if (grad_z) g.log_grad_norm_Jz = Eigen::VectorXd::Constant(R, kNaN);
    if (grad_r) g.log_grad_norm_Jr = Eigen::VectorXd::Constant(R, kNaN);
    if (w.keep_gradients) {
        g.dL_dx0 = Eigen::MatrixXd::Constant(dim, R, kNaN);
        g.dL_dJh.resize(R), g.dL_dJz.resize(R), g.dL_dJr.resize(R);
    }
    auto nonfinite = [&](BackpropTermination t, double t_before) {
        g.termination = t;
        if (!g.nonfinite_t_before_horizon || t_before < *g.nonfinite_t_before_horizon) g.nonfinite_t_before_horizon = t_before;
    };

    // The forward window: the Integrator's RK4, one step at a time from t = 0 to dt (the same step size
    // dt bit for bit; the system is autonomous), with the four stage evaluations recorded.
    Integrator integ({IntegratorKind::Rk4, w.dt});
    double* stage_rec = nullptr;
    int stage = 0;
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) {
        if (stage >= kStages) throw std::logic_error("network_gradient: RK4 evaluated more than 4 stages per step");
        adj.evaluate(x, dx, stage_rec + stage * rec);
        ++stage;
    };
    auto step = [&](Eigen::MatrixXd& x, double* records) {
        stage_rec = records;
        stage = 0;
        double t = 0;
        integ.advance(f, x, t, w.dt);
        if (stage != kStages) throw std::logic_error("network_gradient: RK4 did not evaluate 4 stages");
    };

    Progress progress(observer, "backprop", static_cast<double>(S) * (1 + plan.groups));
    auto t_fwd = std::chrono::steady_clock::now();
    Eigen::MatrixXd checkpoints(dim, static_cast<Eigen::Index>(plan.checkpoints));
    std::vector<double> segment(static_cast<std::size_t>(K) * kStages * static_cast<std::size_t>(rec));
    Eigen::MatrixXd x = x_t0;
    for (std::size_t s = 0; s < S; ++s) {
        if (s % K == 0) checkpoints.col(static_cast<Eigen::Index>(s / K)) = x;
        step(x, segment.data());
        if (!x.allFinite()) {
            nonfinite(BackpropTermination::ForwardNonFinite, static_cast<double>(S - s - 1) * w.dt);
            g.seconds_forward = seconds_since(t_fwd);
            return g;
        }
        if (s % 64 == 63) progress.update(static_cast<double>(s + 1));
    }
    g.seconds_forward = seconds_since(t_fwd);

    auto t_bwd = std::chrono::steady_clock::now();
    const double h = w.dt;
    for (int r0 = 0; r0 < R; r0 += plan.readout_group) {
        const int Rg = std::min(plan.readout_group, R - r0);
        Eigen::MatrixXd A = Eigen::MatrixXd::Zero(dim, Rg);  // the adjoint, column r in units of 2^aexp[r]
        A.topRows(n) = W.middleCols(r0, Rg);
        std::vector<int> aexp(Rg, 0);
        GradientAccumulator acc(n, adj.grad_gate_rows(), Rg);
        Eigen::MatrixXd Kbar(dim, Rg), Xbar[kStages];
        StageCotangents cot;
        bool failed = false;

        // At the step boundary t_s: rescale, check, record the profile.
        auto boundary = [&](std::size_t s) {
            const double t_before = static_cast<double>(S - s) * h;
            for (int r = 0; r < Rg; ++r) {
                if (!A.col(r).allFinite()) {
                    nonfinite(BackpropTermination::AdjointNonFinite, t_before);
                    failed = true;
                    return;
                }
                const double amax = A.col(r).cwiseAbs().maxCoeff();
                if (amax == 0) continue;
                const int e = std::ilogb(amax);  // the largest entry is in [2^e, 2^(e+1))
                if (std::abs(e) > kRescaleExp) {
                    A.col(r) *= std::ldexp(1.0, -e);
                    aexp[r] += e;
                    acc.set_adjoint_exponent(r, aexp[r]);
                }
            }
            if ((S - s) % stride != 0) return;
            const Eigen::Index j = static_cast<Eigen::Index>((S - s) / stride);
            for (int r = 0; r < Rg; ++r) {
                const double shift = 2.0 * aexp[r] * std::numbers::ln2;
                g.log_a_h2(j, r0 + r) = log_norm2(A.col(r).head(n), double(n)) + shift;
                if (z_rows) (*g.log_a_z2)(j, r0 + r) = log_norm2(A.col(r).segment(z_row, n), double(n)) + shift;
                if (r_rows) (*g.log_a_r2)(j, r0 + r) = log_norm2(A.col(r).segment(r_row, n), double(n)) + shift;
            }
        };

        boundary(S);
        for (std::size_t seg = plan.checkpoints; seg-- > 0 && !failed;) {
            const std::size_t s0 = seg * K, s1 = std::min(S, s0 + K);
            x = checkpoints.col(static_cast<Eigen::Index>(seg));
            for (std::size_t s = s0; s < s1; ++s) step(x, segment.data() + (s - s0) * kStages * rec);
            for (std::size_t s = s1; s-- > s0 && !failed;) {
                // The transpose of x' = x + h (k1 + 2 k2 + 2 k3 + k4) / 6, X2 = x + h/2 k1, X3 = x + h/2 k2,
                // X4 = x + h k3: kbar_i = b_i h A + a_{i+1,i} h Xbar_{i+1}, Xbar_i = J_i^T kbar_i,
                // A <- A + sum_i Xbar_i.
                const double* recs = segment.data() + (s - s0) * kStages * rec;
                static constexpr double b[kStages] = {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6};
                static constexpr double a_next[kStages] = {0.5, 0.5, 1.0, 0.0};  // a_{i+1,i}
                for (int i = kStages - 1; i >= 0; --i) {
                    if (i == kStages - 1)
                        Kbar = (b[i] * h) * A;
                    else
                        Kbar = (b[i] * h) * A + (a_next[i] * h) * Xbar[i + 1];
                    adj.vjp(recs + i * rec, Kbar, Xbar[i], cot);
                    acc.push(cot);
                }
                A += Xbar[0] + Xbar[1] + Xbar[2] + Xbar[3];
                boundary(s);
            }
            progress.update(static_cast<double>(S) * (1 + r0 / plan.readout_group) + static_cast<double>(S - s0));
        }
        acc.flush();
        if (failed) continue;
        const Eigen::Index zoff = adj.grad_Jz_offset(), roff = adj.grad_Jr_offset();
        for (int r = 0; r < Rg; ++r) {
            g.log_grad_norm_Jh(r0 + r) = acc.log_norm(r, false, 0);
            if (grad_z) (*g.log_grad_norm_Jz)(r0 + r) = acc.log_norm(r, true, zoff);
            if (grad_r) (*g.log_grad_norm_Jr)(r0 + r) = acc.log_norm(r, true, roff);
            if (w.keep_gradients) {
                g.dL_dx0.col(r0 + r) = std::ldexp(1.0, aexp[r]) * A.col(r);
                g.dL_dJh[r0 + r] = acc.value(r, false, 0);
                if (grad_z) g.dL_dJz[r0 + r] = acc.value(r, true, zoff);
                if (grad_r) g.dL_dJr[r0 + r] = acc.value(r, true, roff);
            }
        }
    }
    g.seconds_backward = seconds_since(t_bwd);
    progress.finish();
    return g;
}

}  // namespace gdmft::sim
