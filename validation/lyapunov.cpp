#include "validation/lyapunov.hpp"

#include "numerics/stats.hpp"
#include "validation/random.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace gdmft::sim {

LyapunovQR::LyapunovQR(int K, double t_start, double t_end, int blocks)
    : K_(K), nblocks_(std::max(1, blocks)), t0_(t_start), t1_(t_end),
      sums_(Eigen::MatrixXd::Zero(nblocks_, K)), times_(nblocks_, 0.0) {}

bool LyapunovQR::renormalize(Eigen::Ref<Eigen::MatrixXd> V, double t_prev, double t) {
    if (!V.allFinite()) return false;
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(V);
    const Eigen::MatrixXd& R = qr.matrixQR();
    Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(V.rows(), K_);
    Eigen::VectorXd logr(K_);
    for (int k = 0; k < K_; ++k) {
        const double r = R(k, k);
        if (!(std::abs(r) > 0) || !std::isfinite(r)) return false;
        logr(k) = std::log(std::abs(r));
        if (r < 0) Q.col(k) *= -1.0;  // R with a positive diagonal: Q follows V's orientation
    }
    V = Q;
    const double eps = 1e-9 * std::max(1.0, std::abs(t1_));
    if (t_prev >= t0_ - eps && t <= t1_ + eps) {
        const double mid = 0.5 * (t_prev + t);
        int b = static_cast<int>((mid - t0_) / (t1_ - t0_) * nblocks_);
        b = std::clamp(b, 0, nblocks_ - 1);
        sums_.row(b) += logr.transpose();
        times_[b] += t - t_prev;
    }
    return true;
}

LyapunovSpectrum LyapunovQR::result() const {
    LyapunovSpectrum s;
    double total = 0;
    for (double x : times_) total += x;
    s.time = total;
    s.exponents.assign(K_, std::numeric_limits<double>::quiet_NaN());
    s.stderr_.assign(K_, std::numeric_limits<double>::quiet_NaN());
    if (total <= 0) return s;
    for (int b = 0; b < nblocks_; ++b) {
        if (times_[b] <= 0) continue;
        std::vector<double> row(K_);
        for (int k = 0; k < K_; ++k) row[k] = sums_(b, k) / times_[b];
        s.blocks.push_back(row);
    }
    for (int k = 0; k < K_; ++k) {
        s.exponents[k] = sums_.col(k).sum() / total;
        std::vector<double> per_block;
        for (const auto& row : s.blocks) per_block.push_back(row[k]);
        if (per_block.size() > 1) s.stderr_[k] = mean_err(per_block).stderr_;
    }
    return s;
}

double kaplan_yorke_dimension(std::vector<double> ex) {
    std::sort(ex.begin(), ex.end(), std::greater<>());
    if (ex.empty() || !std::isfinite(ex[0])) return std::numeric_limits<double>::quiet_NaN();
    if (ex[0] < 0) return 0.0;
    double sum = 0;
    for (std::size_t j = 0; j < ex.size(); ++j) {
        if (sum + ex[j] < 0) return static_cast<double>(j) + sum / std::abs(ex[j]);
        sum += ex[j];
    }
    return std::numeric_limits<double>::quiet_NaN();
}

Eigen::MatrixXd random_orthonormal(Eigen::Index dim, int K, std::uint64_t seed) {
    NormalStream rng(seed);
    Eigen::MatrixXd V(dim, K);
    for (int k = 0; k < K; ++k)
        for (Eigen::Index i = 0; i < dim; ++i) V(i, k) = rng.normal();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(V);
    return qr.householderQ() * Eigen::MatrixXd::Identity(dim, K);
}

}  // namespace gdmft::sim
