// The causal Gaussian process with a log-spaced memory (numerics/log_memory.hpp): the nesting of its
// memory sets, identity with the full causal Cholesky factor when every row is kept, and the covariance
// it implies at long lags when few are kept, against the prescribed covariance.
#include "numerics/gaussian_process.hpp"
#include "numerics/log_memory.hpp"

#include <doctest/doctest.h>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace gdmft;

namespace {

// A non-stationary covariance with a fast and a slow (power-law) part, ageing like t^0.6:
// A(t, s) = v(t, s) [ 0.5 exp(-|t-s|/2) + 0.5 (1 + |t-s| / (2 + 0.3 min(t,s)^0.6))^(-1/2) ]
// with a slowly varying amplitude; positive definite as a sum of ... checked numerically below.
double kernel(double t, double s) {
    const double d = std::abs(t - s), age = 2 + 0.3 * std::pow(std::min(t, s), 0.6);
    const double amp = std::sqrt((1.0 + 0.5 * std::tanh(t / 200)) * (1.0 + 0.5 * std::tanh(s / 200)));
    return amp * (0.5 * std::exp(-d / 2) + 0.5 * std::exp(-d / (20 * age)) * std::pow(1 + d / age, -0.5));
}

// Features whose Gram matrix is exactly A: f_p(t_k) = sqrt(M) L(k, p) for A = L L^T (p < n), 0 beyond.
struct Features {
    Eigen::MatrixXd F;  // n x M, row k = features at step k
    Eigen::MatrixXd A;
};
Features features(std::size_t n, std::size_t M, double dt) {
    Features out;
    out.A.resize(long(n), long(n));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) out.A(long(i), long(j)) = kernel(dt * double(i), dt * double(j));
    Eigen::LLT<Eigen::MatrixXd> llt(out.A);
    REQUIRE(llt.info() == Eigen::Success);
    const Eigen::MatrixXd L = llt.matrixL();
    out.F = Eigen::MatrixXd::Zero(long(n), long(M));
    out.F.leftCols(long(n)) = std::sqrt(double(M)) * L;
    return out;
}

// Runs the process over n steps with the given noise (n x M, row-major floats); returns the field (n x M).
Eigen::MatrixXd run(const Features& ft, const std::vector<float>& noise, std::size_t recent, std::size_t per_octave,
                    double jitter, std::size_t* max_rows = nullptr) {
    const std::size_t n = std::size_t(ft.F.rows()), M = std::size_t(ft.F.cols());
    LogMemoryProcess proc(M, 1, recent, per_octave, jitter);
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(long(n), long(M));
    std::vector<double> f(M), out(M);
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t p = 0; p < M; ++p) f[p] = ft.F(long(k), long(p));
        proc.step(f.data(), {&noise[k * M]}, {out.data()});
        for (std::size_t p = 0; p < M; ++p) X(long(k), long(p)) = out[p];
    }
    if (max_rows) *max_rows = proc.max_rows();
    return X;
}

}  // namespace

TEST_CASE("log memory: the sets are nested, hold the recent rows, and grow like the log of the step") {
    for (std::size_t K : {1, 4, 16}) {
        for (std::size_t P : {1, 3, 8}) {
            std::vector<std::size_t> prev;
            for (std::size_t k = 0; k <= 5000; ++k) {
                const std::vector<std::size_t> rows = log_memory_rows(k, K, P);
                REQUIRE(std::is_sorted(rows.begin(), rows.end()));
                REQUIRE(std::adjacent_find(rows.begin(), rows.end()) == rows.end());
                if (!rows.empty()) REQUIRE(rows.back() < k);
                // the K most recent rows
                for (std::size_t j = (k > K ? k - K : 0); j < k; ++j) REQUIRE(std::binary_search(rows.begin(), rows.end(), j));
                // nesting: rows(k) is inside rows(k-1) plus k-1
                if (k > 0)
                    for (std::size_t j : rows) REQUIRE((j == k - 1 || std::binary_search(prev.begin(), prev.end(), j)));
                // size: K recent rows plus at most P + 1 per level; level l >= 1 starts at the lag
                // K + P (2^l - 2), so the levels below lag k number at most log2((k - K) / P + 2)
                const double octaves = k > K ? std::ceil(std::log2(double(k - K) / double(P) + 2.0)) : 0.0;
                REQUIRE(double(rows.size()) <= double(K) + double(P + 1) * octaves);
                prev = rows;
            }
        }
    }
    // Row 0 stays in memory for ever (a multiple of every power of 2); the earliest rows are what the
    // start's correlations rest on.
    CHECK(log_memory_rows(100000, 8, 2).front() == 0);
}

TEST_CASE("log memory: with every row kept it is the causal Cholesky factor on the same noise") {
    const std::size_t n = 300, M = 320;
    const double dt = 0.5, jitter = 1e-6;
    const Features ft = features(n, M, dt);
    std::vector<float> noise(n * M);
    std::mt19937_64 rng(7);
    std::normal_distribution<float> g;
    for (float& x : noise) x = g(rng);
    const Eigen::MatrixXd X = run(ft, noise, n, 1, jitter);
    // The causal factor of A + jitter diag(A) (numerics/gaussian_process.hpp), x_k = sum_j L(k,j) xi_j.
    CausalCholesky L(n, 1e-12, jitter);
    std::vector<double> row(n);
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t j = 0; j <= k; ++j) row[j] = ft.A(long(k), long(j));
        L.append(row.data());
    }
    double worst = 0;
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t p = 0; p < M; ++p) {
            double x = 0;
            for (std::size_t j = 0; j <= k; ++j) x += L.at(k, j) * double(noise[j * M + p]);
            worst = std::max(worst, std::abs(x - X(long(k), long(p))));
        }
    // Rounding only: both solve systems of condition number <= 1 / jitter = 1e6 in double precision.
    CHECK(worst < 1e-7);
}

TEST_CASE("log memory: few kept rows reproduce a slowly decaying covariance at long lags") {
    // Unit-vector noise (path p gets xi = 1 at step p only) makes the field the lower-triangular map T
    // itself: X(k, p) = T(k, p), and the implied covariance is T T^T, computed exactly.
    const std::size_t n = 1500, M = 1500;
    const double dt = 1.0, jitter = 1e-6;
    const Features ft = features(n, M, dt);
    std::vector<float> noise(n * M, 0.0f);
    for (std::size_t k = 0; k < n; ++k) noise[k * M + k] = 1.0f;
    struct Case {
        std::size_t K, P;
        double tol;
    };
    // Worst |implied - A| over all pairs, relative to max A(k,k), measured (deterministic): 0.0063 at
    // K = 32, P = 8 (84 rows), 0.017 at K = 16, P = 4 (46 rows).
    for (const Case c : {Case{32, 8, 0.01}, Case{16, 4, 0.02}}) {
        std::size_t max_rows = 0;
        const Eigen::MatrixXd T = run(ft, noise, c.K, c.P, jitter, &max_rows);
        const Eigen::MatrixXd implied = T * T.transpose();
        const double scale = ft.A.diagonal().maxCoeff();
        const double err = (implied - ft.A).cwiseAbs().maxCoeff() / scale;
        MESSAGE("K ", c.K, " P ", c.P, ": ", max_rows, " memory rows, worst covariance error ", err);
        CHECK(max_rows < 120);
        CHECK(err < c.tol);
    }
}
