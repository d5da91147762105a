#pragma once
// Random coupling matrices of the finite-N network, stored row-major in double or float, and their
// product with a block of column vectors, parallelised over fixed row blocks (OpenMP, never nested).
#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace gdmft::sim {

using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A stack of square N x N blocks (e.g. [Jz; Jr]) with i.i.d. N(0, gain_b^2 / N) entries. Row i of block
// b is drawn from its own stream derive_seed(derive_seed(seed, stream_b), i), so every matrix depends
// only on (seed, its stream id), not on which other matrices exist, nor on the thread count.
class CouplingMatrix {
public:
    CouplingMatrix() = default;
    // One block per (stream id, gain) pair.
    CouplingMatrix(std::size_t N, std::uint64_t seed, const std::vector<std::uint64_t>& streams,
                   const std::vector<double>& gains, bool single_precision);
    // Given couplings (double storage): a stack of square blocks, values.rows() a multiple of values.cols().
    // For perturbing single entries (finite-difference checks of coupling gradients, validation/backprop).
    explicit CouplingMatrix(RowMatrixD values);

    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }
    bool empty() const { return rows_ == 0; }
    bool single_precision() const { return single_; }
    std::size_t bytes() const { return rows_ * cols_ * (single_ ? sizeof(float) : sizeof(double)); }

    // Y = J X (X: cols x C, Y resized to rows x C). Rows are cut into fixed blocks of kBlockRows and the
    // blocks shared among threads, so each entry of Y is computed the same way whatever the thread count.
    // Products are accumulated in double, also with float storage.
    void multiply(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y) const;

    // Y = J^T X for the rows [row0, row0 + nrows) of J (nrows = -1: all rows; X: nrows x C, Y resized to
    // cols x C), accumulated in double, streaming J once (row order, four rows per fused step). Threads
    // share the columns of J (rows of Y); each entry of Y is one chain of multiply-adds over the rows in
    // order, the same whatever the thread count or the number of columns of X.
    void multiply_transposed(const Eigen::MatrixXd& X, Eigen::MatrixXd& Y, std::size_t row0 = 0,
                             std::ptrdiff_t nrows = -1) const;

    // A double copy of the entries (tests and given-coupling networks).
    RowMatrixD values() const;

    // max over rows in [row0, row0 + n) of sum_j |J_ij|.
    double max_abs_row_sum(std::size_t row0, std::size_t n) const;

    // Entry access (tests and diagnostics).
    double operator()(std::size_t i, std::size_t j) const { return single_ ? double(f_(i, j)) : d_(i, j); }

    static constexpr std::size_t kBlockRows = 64;
    static constexpr Eigen::Index kMaxTiledColumns = 24;  // beyond: Eigen's GEMM (double storage)

private:
    std::size_t rows_ = 0, cols_ = 0;
    bool single_ = false;
    RowMatrixD d_;
    RowMatrixF f_;
};

}  // namespace gdmft::sim
