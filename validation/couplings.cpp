#include "validation/couplings.hpp"

#include "validation/random.hpp"

#include <cmath>
#include <stdexcept>

namespace gdmft::sim {

CouplingMatrix::CouplingMatrix(std::size_t N, std::uint64_t seed, const std::vector<std::uint64_t>& streams,
                               const std::vector<double>& gains, bool single_precision)
    : rows_(N * streams.size()), cols_(N), single_(single_precision) {
    if (streams.size() != gains.size()) throw std::logic_error("CouplingMatrix: streams and gains differ in size");
    if (single_)
        f_.resize(rows_, cols_);
    else
        d_.resize(rows_, cols_);
    const std::ptrdiff_t total = static_cast<std::ptrdiff_t>(rows_);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t row = 0; row < total; ++row) {
        const std::size_t b = static_cast<std::size_t>(row) / N, i = static_cast<std::size_t>(row) % N;
        NormalStream rng(derive_seed(derive_seed(seed, streams[b]), i));
        const double sd = gains[b] / std::sqrt(static_cast<double>(N));
        for (std::size_t j = 0; j < N; ++j) {
            const double v = sd * rng.normal();
            if (single_)
                f_(row, j) = static_cast<float>(v);
            else
                d_(row, j) = v;
        }
    }
}

double CouplingMatrix::max_abs_row_sum(std::size_t row0, std::size_t n) const {
    const auto r0 = static_cast<Eigen::Index>(row0), nr = static_cast<Eigen::Index>(n);
    if (n == 0) return 0.0;
    if (single_) return static_cast<double>(f_.middleRows(r0, nr).cwiseAbs().rowwise().sum().maxCoeff());
    return d_.middleRows(r0, nr).cwiseAbs().rowwise().sum().maxCoeff();
}

void CouplingMatrix::multiply(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y) const {
    if (static_cast<std::size_t>(X.rows()) != cols_) throw std::logic_error("CouplingMatrix::multiply: size mismatch");
    Y.resize(static_cast<Eigen::Index>(rows_), X.cols());
    const std::ptrdiff_t nblocks = static_cast<std::ptrdiff_t>((rows_ + kBlockRows - 1) / kBlockRows);
    if (single_) xf_ = X.cast<float>();
    // Threads only pay off above a few tens of thousands of multiply-adds (a parallel region costs
    // microseconds, far more when the cores are shared).
    const bool parallel = nblocks > 1 && static_cast<double>(rows_) * static_cast<double>(cols_) * X.cols() >= 65536.0;
#pragma omp parallel for schedule(static) if (parallel)
    for (std::ptrdiff_t b = 0; b < nblocks; ++b) {
        const Eigen::Index r0 = b * static_cast<Eigen::Index>(kBlockRows);
        const Eigen::Index nr = std::min<Eigen::Index>(kBlockRows, static_cast<Eigen::Index>(rows_) - r0);
        if (single_)
            Y.middleRows(r0, nr) = (f_.middleRows(r0, nr) * xf_).cast<double>();
        else
            Y.middleRows(r0, nr).noalias() = d_.middleRows(r0, nr) * X;
    }
}

}  // namespace gdmft::sim
