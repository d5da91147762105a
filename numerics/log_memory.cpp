#include "numerics/log_memory.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gdmft {

std::vector<std::size_t> log_memory_rows(std::size_t k, std::size_t recent, std::size_t per_octave) {
    std::vector<std::size_t> rows;
    const long long kk = static_cast<long long>(k);
    long long b = static_cast<long long>(recent);
    for (long long j = std::max(0LL, kk - b); j < kk; ++j) rows.push_back(static_cast<std::size_t>(j));
    long long spacing = 2;
    while (b < kk) {
        const long long b_next = b + static_cast<long long>(per_octave) * spacing;
        const long long lo = std::max(0LL, kk - b_next), hi = kk - b;  // [lo, hi)
        // multiples of spacing in [lo, hi)
        for (long long j = (lo + spacing - 1) / spacing * spacing; j < hi; j += spacing) rows.push_back(static_cast<std::size_t>(j));
        b = b_next;
        spacing *= 2;
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

LogMemoryProcess::LogMemoryProcess(std::size_t M, std::size_t fields, std::size_t recent, std::size_t per_octave, double jitter)
    : M_(M), F_(fields), K_(recent), P_(per_octave), stride_((1 + fields) * M), jitter_(jitter) {}

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
    const std::size_t m = ids_.size(), M = M_;
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
    if (m > 0) {
        Eigen::MatrixXd S = Sigma_;
        S.diagonal() *= (1 + jitter_);
        Eigen::LLT<Eigen::MatrixXd> llt(S);
        if (llt.info() == Eigen::Success)
            w = llt.solve(a);
        else
            w = S.ldlt().solve(a);
        d -= w.dot(a);
    }
    if (d < 0) {
        clipped_ += -d;
        d = 0;
    }
    const double sd = std::sqrt(d);
    // Fields on every path: out = w . x_S + sqrt(d) xi, summed over kept rows in order.
    constexpr std::size_t chunk = 64;
    const std::size_t nchunks = (M + chunk - 1) / chunk;
    for (std::size_t i = 0; i < F_; ++i) {
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t ci = 0; ci < static_cast<std::ptrdiff_t>(nchunks); ++ci) {
            const std::size_t p0 = std::size_t(ci) * chunk, wdt = std::min(M, p0 + chunk) - p0;
            double acc[chunk] = {};
            for (std::size_t j = 0; j < m; ++j) {
                const double wj = w(static_cast<Eigen::Index>(j));
                const double* x = field(slots_[j], i) + p0;
                for (std::size_t q = 0; q < wdt; ++q) acc[q] += wj * x[q];
            }
            const float* xi = noise[i] + p0;
            double* o = out[i] + p0;
            for (std::size_t q = 0; q < wdt; ++q) o[q] = acc[q] + sd * double(xi[q]);
        }
    }
    // The memory set of step k+1 (a subset of the current one plus row k) and its covariance.
    const std::vector<std::size_t> next = log_memory_rows(k_ + 1, K_, P_);
    std::vector<long long> from(next.size());  // index in the current set, or -1 for row k
    {
        std::size_t o = 0;
        for (std::size_t i = 0; i < next.size(); ++i) {
            if (next[i] == k_) {
                from[i] = -1;
                continue;
            }
            while (o < m && ids_[o] < next[i]) ++o;
            if (o == m || ids_[o] != next[i]) throw std::logic_error("LogMemoryProcess: memory sets are not nested");
            from[i] = static_cast<long long>(o);
        }
    }
    const auto n2 = static_cast<Eigen::Index>(next.size());
    Eigen::MatrixXd Sn(n2, n2);
    for (Eigen::Index i = 0; i < n2; ++i)
        for (Eigen::Index j = 0; j <= i; ++j) {
            const long long fi = from[std::size_t(i)], fj = from[std::size_t(j)];
            double v;
            if (fi < 0 && fj < 0)
                v = akk;
            else if (fi < 0)
                v = a(fj);
            else if (fj < 0)
                v = a(fi);
            else
                v = Sigma_(fi, fj);
            Sn(i, j) = Sn(j, i) = v;
        }
    std::vector<std::size_t> nslots(next.size());
    std::vector<unsigned char> kept(m, 0);
    for (std::size_t i = 0; i < next.size(); ++i)
        if (from[i] >= 0) {
            nslots[i] = slots_[std::size_t(from[i])];
            kept[std::size_t(from[i])] = 1;
        }
    for (std::size_t j = 0; j < m; ++j)
        if (!kept[j]) free_.push_back(slots_[j]);
    for (std::size_t i = 0; i < next.size(); ++i)
        if (from[i] < 0) {
            const std::size_t s = slot();
            std::copy(f, f + M, feat(s));
            for (std::size_t q = 0; q < F_; ++q) std::copy(out[q], out[q] + M, field(s, q));
            nslots[i] = s;
        }
    ids_ = next;
    slots_ = std::move(nslots);
    Sigma_ = std::move(Sn);
    max_rows_ = std::max(max_rows_, m);
    ++k_;
    return akk;
}

}  // namespace gdmft
