#include "validation/measurements.hpp"

#include "numerics/fft_correlation.hpp"
#include "numerics/timescales.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gdmft::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Eigen::Index kChunkCols = 256;     // columns per FFT batch (bounds the temporary copy)
constexpr Eigen::Index kMaxPrSamples = 2000; // time samples used for the participation ratio

// Mean autocorrelation of f(x) - mean over every column of `rec`, in column chunks.
template <class F>
std::vector<double> curve(const Eigen::MatrixXd& rec, double mean, std::size_t max_lag, F f) {
    const Eigen::Index cols = rec.cols();
    std::vector<double> out(max_lag + 1, 0.0);
    for (Eigen::Index c0 = 0; c0 < cols; c0 += kChunkCols) {
        const Eigen::Index nc = std::min(kChunkCols, cols - c0);
        const Eigen::MatrixXd chunk = rec.middleCols(c0, nc).unaryExpr([&](double x) { return f(x) - mean; });
        const auto part = mean_autocorrelation(chunk, max_lag);
        for (std::size_t k = 0; k < part.size() && k <= max_lag; ++k) out[k] += part[k] * static_cast<double>(nc);
    }
    for (double& v : out) v /= static_cast<double>(cols);
    return out;
}

}  // namespace

Recorder::Recorder(const Phi& phi, std::size_t N, int M, std::size_t n_samples, std::size_t n_rec, bool has_z,
                   bool has_r, int hist_bins)
    : phi_(phi), N_(N), n_samples_(n_samples), n_rec_(std::min(n_rec, N)), M_(M), bins_(hist_bins), has_z_(has_z),
      has_r_(has_r), hist_(static_cast<std::size_t>(hist_bins), 0.0) {
    const Eigen::Index cols = static_cast<Eigen::Index>(N * M);
    for (auto* a : {&sum_h_, &sum_h2_, &sum_phi_, &sum_phi2_}) *a = Eigen::ArrayXd::Zero(cols);
    if (has_z) sum_z_ = sum_z2_ = Eigen::ArrayXd::Zero(cols);
    if (has_r) sum_r_ = sum_r2_ = Eigen::ArrayXd::Zero(cols);
    const Eigen::Index ns = static_cast<Eigen::Index>(n_samples), nr = static_cast<Eigen::Index>(n_rec_ * M);
    rec_h_.resize(ns, nr);
    if (has_z) rec_z_.resize(ns, nr);
    if (has_r) rec_r_.resize(ns, nr);
}

std::size_t Recorder::units_for_budget(std::size_t N, int M, std::size_t n_samples, int n_vars, double bytes) {
    const double per_unit = 8.0 * static_cast<double>(n_samples) * n_vars * M;
    const double n = std::floor(bytes / per_unit);
    return static_cast<std::size_t>(std::clamp(n, 1.0, static_cast<double>(N)));
}

void Recorder::add(std::size_t s, int m, const Observables& o) {
    const Eigen::Index n = static_cast<Eigen::Index>(N_), off = m * n;
    const Eigen::Index nr = static_cast<Eigen::Index>(n_rec_), roff = m * nr, si = static_cast<Eigen::Index>(s);
    sum_h_.segment(off, n) += o.h.array();
    sum_h2_.segment(off, n) += o.h.array().square();
    rec_h_.row(si).segment(roff, nr) = o.h.head(nr).transpose();
    if (has_z_) {
        sum_z_.segment(off, n) += o.z.array();
        sum_z2_.segment(off, n) += o.z.array().square();
        rec_z_.row(si).segment(roff, nr) = o.z.head(nr).transpose();
    }
    if (has_r_) {
        sum_r_.segment(off, n) += o.r.array();
        sum_r2_.segment(off, n) += o.r.array().square();
        rec_r_.row(si).segment(roff, nr) = o.r.head(nr).transpose();
    }
    for (Eigen::Index i = 0; i < n; ++i) {
        const double a = phi_(o.h(i));
        sum_phi_(off + i) += a;
        sum_phi2_(off + i) += a * a;
        const double sz = o.sigma_z(i);
        sum_sz_ += sz;
        const int b = std::clamp(static_cast<int>(sz * bins_), 0, bins_ - 1);
        hist_[static_cast<std::size_t>(b)] += 1.0;
    }
}

Measured Recorder::finish(std::size_t max_lag, double sample_dt) const {
    const Phi& phi = phi_;
    Measured r;
    const double ns = static_cast<double>(n_samples_);
    const double total = static_cast<double>(N_ * M_) * ns;
    r.mean_h = sum_h_.sum() / total;
    r.C_h0 = sum_h2_.sum() / total - r.mean_h * r.mean_h;
    r.mean_phi = sum_phi_.sum() / total;
    r.C_phi0 = sum_phi2_.sum() / total - r.mean_phi * r.mean_phi;
    double mean_z = kNaN, mean_r = kNaN;
    r.C_z0 = r.C_r0 = kNaN;
    if (has_z_) {
        mean_z = sum_z_.sum() / total;
        r.C_z0 = sum_z2_.sum() / total - mean_z * mean_z;
    }
    if (has_r_) {
        mean_r = sum_r_.sum() / total;
        r.C_r0 = sum_r2_.sum() / total - mean_r * mean_r;
    }
    r.mean_sigma_z = sum_sz_ / total;
    r.sigma_z_density.resize(hist_.size());
    for (std::size_t b = 0; b < hist_.size(); ++b) r.sigma_z_density[b] = hist_[b] / total * bins_;

    max_lag = std::min(max_lag, n_samples_ - 1);
    auto identity = [](double x) { return x; };
    r.curves.tau.resize(max_lag + 1);
    for (std::size_t k = 0; k <= max_lag; ++k) r.curves.tau[k] = static_cast<double>(k) * sample_dt;
    r.curves.C_h = curve(rec_h_, r.mean_h, max_lag, identity);
    r.curves.C_phi = curve(rec_h_, r.mean_phi, max_lag, [&](double h) { return phi(h); });
    // Static parts from the variance of the per-unit time means, less its finite-time part.
    const std::size_t L = n_samples_;
    r.C_inf_h = plateau_from_time_averages(r.curves.C_h, ((sum_h_ / ns) - r.mean_h).square().mean(), L);
    r.C_inf_phi = plateau_from_time_averages(r.curves.C_phi, ((sum_phi_ / ns) - r.mean_phi).square().mean(), L);
    r.curves.C_z = has_z_ ? curve(rec_z_, mean_z, max_lag, identity) : std::vector<double>(max_lag + 1, kNaN);
    r.curves.C_r = has_r_ ? curve(rec_r_, mean_r, max_lag, identity) : std::vector<double>(max_lag + 1, kNaN);

    // Participation ratio of phi over the recorded units, per trajectory, on at most kMaxPrSamples times.
    const Eigen::Index stride = std::max<Eigen::Index>(1, (static_cast<Eigen::Index>(n_samples_) + kMaxPrSamples - 1) / kMaxPrSamples);
    const Eigen::Index nt = (static_cast<Eigen::Index>(n_samples_) + stride - 1) / stride;
    const Eigen::Index nr = static_cast<Eigen::Index>(n_rec_);
    double pr = 0;
    for (int m = 0; m < M_; ++m) {
        Eigen::MatrixXd X(nt, nr);
        for (Eigen::Index t = 0; t < nt; ++t)
            for (Eigen::Index i = 0; i < nr; ++i) X(t, i) = phi(rec_h_(t * stride, m * nr + i));
        pr += participation_ratio(X);
    }
    r.participation_ratio = pr / M_;
    return r;
}

double participation_ratio(const Eigen::MatrixXd& X) {
    if (X.rows() < 2 || X.cols() < 1) return kNaN;
    const Eigen::MatrixXd Xc = X.rowwise() - X.colwise().mean();
    Eigen::MatrixXd G;
    if (Xc.rows() <= Xc.cols()) {
        G = Eigen::MatrixXd::Zero(Xc.rows(), Xc.rows());
        G.selfadjointView<Eigen::Lower>().rankUpdate(Xc);
    } else {
        G = Eigen::MatrixXd::Zero(Xc.cols(), Xc.cols());
        G.selfadjointView<Eigen::Lower>().rankUpdate(Xc.transpose());
    }
    // Only the lower triangle is filled: ||G||_F^2 = sum of squared diagonal + 2 x strict lower part.
    const double tr = G.diagonal().sum();
    double frob = G.diagonal().squaredNorm();
    for (Eigen::Index j = 0; j < G.cols(); ++j)
        frob += 2.0 * G.col(j).tail(G.rows() - j - 1).squaredNorm();
    return frob > 0 ? tr * tr / frob : kNaN;
}

}  // namespace gdmft::sim
