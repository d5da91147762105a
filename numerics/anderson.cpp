#include "numerics/anderson.hpp"

#include "numerics/errors.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace gdmft {

void AndersonOptions::validate() const {
    if (memory < 0) throw BadInput("anderson.memory", "must be >= 0");
    if (!(damping > 0 && damping <= 1)) throw BadInput("anderson.damping", "must be in (0, 1]");
    if (!(regularization >= 0)) throw BadInput("anderson.regularization", "must be >= 0");
    if (!(restart_factor > 1)) throw BadInput("anderson.restart_factor", "must be > 1");
    if (stall_restart < 0) throw BadInput("anderson.stall_restart", "must be >= 0");
}

AndersonMixer::AndersonMixer(AndersonOptions o) : o_(o) { o_.validate(); }

void AndersonMixer::reset() {
    have_prev_ = false;
    dx_.clear();
    df_.clear();
    best_ = 0;
    since_best_ = 0;
}

void AndersonMixer::forget_point() {
    have_prev_ = false;
    best_ = 0;
    since_best_ = 0;
}

Eigen::VectorXd AndersonMixer::next(const Eigen::VectorXd& x, const Eigen::VectorXd& g) {
    if (x.size() != g.size()) throw BadInput("x", "size mismatch (AndersonMixer)");
    if ((have_prev_ && x.size() != x_prev_.size()) || (!dx_.empty() && dx_.front().size() != x.size())) reset();
    const Eigen::VectorXd f = g - x;
    const double fn = f.norm();

    const bool stalled = o_.stall_restart > 0 && since_best_ >= o_.stall_restart;
    if (have_prev_ && (fn > o_.restart_factor * best_ || stalled)) {
        dx_.clear();
        df_.clear();
        best_ = fn;
        since_best_ = 0;
        ++restarts_;
    } else if (have_prev_ && o_.memory > 0) {
        dx_.push_back(x - x_prev_);
        df_.push_back(f - f_prev_);
        if (static_cast<int>(dx_.size()) > o_.memory) {
            dx_.pop_front();
            df_.pop_front();
        }
    }
    if (!have_prev_ || fn < 0.9 * best_) {
        best_ = fn;
        since_best_ = 0;
    } else {
        best_ = std::min(best_, fn);
        ++since_best_;
    }
    x_prev_ = x;
    f_prev_ = f;
    have_prev_ = true;

    Eigen::VectorXd out = x + o_.damping * f;
    const int k = static_cast<int>(dx_.size());
    if (k == 0) return out;

    Eigen::MatrixXd DF(x.size(), k), DX(x.size(), k);
    for (int i = 0; i < k; ++i) {
        DF.col(i) = df_[i];
        DX.col(i) = dx_[i];
    }
    // Regularised least squares as an augmented system [dF; sqrt(lambda) I] gamma = [f; 0], solved by
    // column-pivoted QR (no squared condition number, unlike the normal equations).
    const double scale = DF.squaredNorm();
    if (!(scale > 0) || !std::isfinite(scale)) return out;
    Eigen::MatrixXd Aug(x.size() + k, k);
    Aug.topRows(x.size()) = DF;
    Aug.bottomRows(k) = std::sqrt(o_.regularization * scale) * Eigen::MatrixXd::Identity(k, k);
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(x.size() + k);
    rhs.head(x.size()) = f;
    const Eigen::VectorXd gamma = Aug.colPivHouseholderQr().solve(rhs);
    if (!gamma.allFinite()) return out;
    out -= (DX + o_.damping * DF) * gamma;
    return out;
}

}  // namespace gdmft
