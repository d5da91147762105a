#include "numerics/gaussian_process.hpp"
#include "numerics/errors.hpp"

#include <Eigen/Core>

#include <cmath>
#include <stdexcept>

namespace gdmft {

CausalCholesky::CausalCholesky(std::size_t n_max, double floor, double jitter)
    : n_max_(n_max), floor_(floor), jitter_(jitter) {
    if (!(floor >= 0)) throw BadInput("floor", "floor must be >= 0 (CausalCholesky)");
    if (!(jitter >= 0)) throw BadInput("jitter", "jitter must be >= 0 (CausalCholesky)");
    L_.assign(n_max * (n_max + 1) / 2, 0.0);
    live_.assign(n_max, 0);
}

void CausalCholesky::clear() {
    rows_ = active_ = 0;
    clipped_ = trace_ = 0;
    std::fill(L_.begin(), L_.end(), 0.0);
    std::fill(live_.begin(), live_.end(), 0);
}

double CausalCholesky::build_row(const double* a, double* lk, bool& live) const {
    const std::size_t k = rows_;
    // Forward substitution: L(k,j) = (A(k,j) - sum_{i<j} L(k,i) L(j,i)) / L(j,j) over the kept pivots.
    for (std::size_t j = 0; j < k; ++j) {
        if (!live_[j]) {
            lk[j] = 0.0;
            continue;
        }
        const double* lj = &L_[j * (j + 1) / 2];
        const double s = j == 0 ? 0.0
                                : Eigen::Map<const Eigen::VectorXd>(lk, static_cast<Eigen::Index>(j))
                                      .dot(Eigen::Map<const Eigen::VectorXd>(lj, static_cast<Eigen::Index>(j)));
        lk[j] = (a[j] - s) / lj[j];
    }
    const double s = k == 0 ? 0.0 : Eigen::Map<const Eigen::VectorXd>(lk, static_cast<Eigen::Index>(k)).squaredNorm();
    const double d = a[k] * (1 + jitter_) - s;
    const double scale = std::abs(a[k]);
    live = d > floor_ * scale && d > 0;
    lk[k] = live ? std::sqrt(d) : 0.0;
    return d;
}

double CausalCholesky::append(const double* a) {
    if (rows_ >= n_max_) throw std::length_error("CausalCholesky: capacity exceeded");
    const std::size_t k = rows_;
    bool live = false;
    const double d = build_row(a, &L_[k * (k + 1) / 2], live);
    const double scale = std::abs(a[k]);
    trace_ += scale;
    live_[k] = live ? 1 : 0;
    if (live) {
        ++active_;
    } else if (d < -floor_ * scale) {
        clipped_ += -d;
    }
    ++rows_;
    return d;
}

double CausalCholesky::trial_row(const double* a, double* l) const {
    if (rows_ >= n_max_) throw std::length_error("CausalCholesky: capacity exceeded");
    bool live = false;
    return build_row(a, l, live);
}

void CausalCholesky::scale(double c) {
    const std::size_t used = rows_ * (rows_ + 1) / 2;
    for (std::size_t i = 0; i < used; ++i) L_[i] *= c;
    clipped_ *= c * c;
    trace_ *= c * c;
}

}  // namespace gdmft
