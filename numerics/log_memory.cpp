#include "numerics/log_memory.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gdmft {

LogMemoryProcess::LogMemoryProcess(std::size_t M, std::size_t fields, std::size_t recent, std::size_t per_octave,
                                   double jitter, bool match_moments)
    : M_(M), F_(fields), K_(recent), P_(per_octave), stride_((1 + fields) * M), jitter_(jitter), match_(match_moments) {}

std::size_t LogMemoryProcess::max_blocks(std::size_t steps, std::size_t recent, std::size_t per_octave) {
    std::size_t levels = 0;  // floor(log2 steps)
    while (steps >> (levels + 1)) ++levels;
    return recent + per_octave * levels;
}

std::size_t LogMemoryProcess::slot() {
    if (!free_.empty()) {
        const std::size_t s = free_.back();
        free_.pop_back();
        return s;
    }
    const std::size_t s = store_.size() / stride_;
    store_.resize(store_.size() + stride_);
    return s;
}

double LogMemoryProcess::step(const double* f, const std::vector<const float*>& noise, const std::vector<double*>& out) {
    const std::size_t m = sizes_.size(), M = M_;
    const auto Mi = static_cast<Eigen::Index>(M);
    const Eigen::Map<const Eigen::VectorXd> fk(f, Mi);
    // Covariance row A(k, S) and A(k, k): one dot product per kept row (deterministic order).
    Eigen::VectorXd a(static_cast<Eigen::Index>(m));
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(m); ++i)
        a(i) = fk.dot(Eigen::Map<const Eigen::VectorXd>(feat(slots_[std::size_t(i)]), Mi)) / double(M);
    const double akk = fk.squaredNorm() / double(M);
    trace_ += std::abs(akk);
    // Conditional weights and variance given the kept rows.
    Eigen::VectorXd w = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(m));
    double d = akk * (1 + jitter_);
    Eigen::LLT<Eigen::MatrixXd> llt;
    Eigen::LDLT<Eigen::MatrixXd> ldlt;
    bool use_llt = true;
    if (m > 0) {
        llt.compute(Sigma_);
        use_llt = llt.info() == Eigen::Success;
        if (!use_llt) ldlt.compute(Sigma_);
        w = use_llt ? Eigen::VectorXd(llt.solve(a)) : Eigen::VectorXd(ldlt.solve(a));
        d -= w.dot(a);
    }
    if (d < 0) {
        clipped_ += -d;
        d = 0;
    }
    const double sd = std::sqrt(d);
    // Matched noise needs fewer kept blocks than paths (the noise lives in the complement of their span).
    const bool project = match_ && m < M;
    // Fields on every path: out = w . x_S + sqrt(d) eta, summed over kept rows in order, with eta = xi
    // or, matched, xi minus its projection on the kept field blocks (coefficients Sigma^-1 c with
    // c_j = x_j . xi / M, Sigma standing for the blocks' path Gram), rescaled to mean square 1.
    constexpr std::size_t chunk = 64;
    const std::size_t nchunks = (M + chunk - 1) / chunk;
    eta_.resize(M);
    part_.resize(nchunks);
    for (std::size_t i = 0; i < F_; ++i) {
        const float* xi = noise[i];
        Eigen::VectorXd coef = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(m));
        if (project && m > 0) {
            Eigen::VectorXd c(static_cast<Eigen::Index>(m));
#pragma omp parallel for schedule(static)
            for (std::ptrdiff_t j = 0; j < static_cast<std::ptrdiff_t>(m); ++j) {
                const double* x = field(slots_[std::size_t(j)], i);
                double acc = 0;
                for (std::size_t q = 0; q < M; ++q) acc += x[q] * double(xi[q]);
                c(j) = acc / double(M);
            }
            coef = use_llt ? Eigen::VectorXd(llt.solve(c)) : Eigen::VectorXd(ldlt.solve(c));
        }
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks); ++ci) {
            const std::size_t p0 = std::size_t(ci) * chunk, wdt = std::min(M, p0 + chunk) - p0;
            double mean[chunk] = {}, e[chunk];
            for (std::size_t q = 0; q < wdt; ++q) e[q] = double(xi[p0 + q]);
            for (std::size_t j = 0; j < m; ++j) {
                const double wj = w(static_cast<Eigen::Index>(j)), cj = coef(static_cast<Eigen::Index>(j));
                const double* x = field(slots_[j], i) + p0;
                for (std::size_t q = 0; q < wdt; ++q) mean[q] += wj * x[q], e[q] -= cj * x[q];
            }
            double ss = 0;
            for (std::size_t q = 0; q < wdt; ++q) ss += e[q] * e[q];
            part_[std::size_t(ci)] = ss;
            std::copy(e, e + wdt, &eta_[p0]);
            std::copy(mean, mean + wdt, out[i] + p0);
        }
        double scale = sd;
        if (project) {
            double ss = 0;
            for (double v : part_) ss += v;  // fixed order
            if (ss > 0) scale = sd / std::sqrt(ss / double(M));
        }
        double* o = out[i];
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t q = 0; q < static_cast<std::ptrdiff_t>(M); ++q) o[q] += scale * eta_[std::size_t(q)];
    }
    // Consistency on the paths: the path variance of field 0 against A(k, k).
    if (F_ > 0 && akk > 0) {
        const Eigen::Map<const Eigen::VectorXd> x0(out[0], Mi);
        last_ratio_ = x0.squaredNorm() / double(M) / (akk * (1 + jitter_));
    }
    // Row k joins the memory as a block of one step; Sigma grows by its covariance row.
    {
        const auto m1 = static_cast<Eigen::Index>(m + 1);
        Eigen::MatrixXd Sn(m1, m1);
        Sn.topLeftCorner(m1 - 1, m1 - 1) = Sigma_;
        Sn.block(m1 - 1, 0, 1, m1 - 1) = a.transpose();
        Sn.block(0, m1 - 1, m1 - 1, 1) = a;
        Sn(m1 - 1, m1 - 1) = akk * (1 + jitter_);
        Sigma_ = std::move(Sn);
        const std::size_t s = slot();
        std::copy(f, f + M, feat(s));
        for (std::size_t q = 0; q < F_; ++q) std::copy(out[q], out[q] + M, field(s, q));
        slots_.push_back(s);
        sizes_.push_back(1);
    }
    merge_blocks();
    max_rows_ = std::max(max_rows_, m);
    ++k_;
    return akk;
}

void LogMemoryProcess::merge_blocks() {
    // Blocks are ordered oldest first with non-increasing sizes, so the oldest is the largest. While
    // blocks of size s number more than their cap (`recent` for s = 1, `per_octave` above; the size then
    // holds cap - 1 or cap blocks), the two oldest of them, which are adjacent, become one block of size
    // 2s: the mean of their features and fields, and the mean of their rows and columns of Sigma. Every
    // step is exact.
    for (std::size_t s = 1; s <= sizes_.front();) {
        std::size_t first = sizes_.size(), count = 0;
        for (std::size_t i = 0; i < sizes_.size(); ++i)
            if (sizes_[i] == s) {
                if (count == 0) first = i;
                ++count;
            }
        const std::size_t cap = s == 1 ? K_ : P_;
        if (count <= cap) {
            s *= 2;
            continue;
        }
        const std::size_t i = first, j = first + 1;  // the two oldest blocks of size s (adjacent)
        const auto ii = static_cast<Eigen::Index>(i), jj = static_cast<Eigen::Index>(j);
        const double dij = 0.25 * (Sigma_(ii, ii) + 2 * Sigma_(ii, jj) + Sigma_(jj, jj));
        Sigma_.row(ii) = 0.5 * (Sigma_.row(ii) + Sigma_.row(jj));
        Sigma_.col(ii) = 0.5 * (Sigma_.col(ii) + Sigma_.col(jj));
        Sigma_(ii, ii) = dij;
        const auto n = static_cast<Eigen::Index>(sizes_.size());
        Eigen::MatrixXd S(n - 1, n - 1);
        S.topLeftCorner(jj, jj) = Sigma_.topLeftCorner(jj, jj);
        S.bottomLeftCorner(n - 1 - jj, jj) = Sigma_.bottomLeftCorner(n - 1 - jj, jj);
        S.topRightCorner(jj, n - 1 - jj) = Sigma_.topRightCorner(jj, n - 1 - jj);
        S.bottomRightCorner(n - 1 - jj, n - 1 - jj) = Sigma_.bottomRightCorner(n - 1 - jj, n - 1 - jj);
        Sigma_ = std::move(S);
        double* fi = &store_[slots_[i] * stride_];
        const double* fj = &store_[slots_[j] * stride_];
        for (std::size_t q = 0; q < stride_; ++q) fi[q] = 0.5 * (fi[q] + fj[q]);
        free_.push_back(slots_[j]);
        slots_.erase(slots_.begin() + long(j));
        sizes_.erase(sizes_.begin() + long(j));
        sizes_[i] = 2 * s;
    }
}

}  // namespace gdmft
