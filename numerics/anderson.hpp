#pragma once
// Anderson mixing (type II, Walker and Ni, SIAM J. Numer. Anal. 49, 1715 (2011)) for a fixed point
// x = G(x). With residuals f_k = G(x_k) - x_k and the last `memory` differences
// dX_i = x_{i+1} - x_i, dF_i = f_{i+1} - f_i, each step solves the regularised least-squares problem
//     gamma = argmin |f_k - dF gamma|^2 + reg |dF|_F^2 |gamma|^2
// and moves to x_{k+1} = x_k + beta f_k - (dX + beta dF) gamma (beta = damping; memory 0 = damped
// iteration). Near a marginal direction of G (Jacobian eigenvalue near 1), where damped iteration
// crawls, this is a secant (GMRES-like) method and converges in a handful of steps.
//
// The differences stored from a related problem (forget_point) act as a secant approximation of its
// Jacobian, so a second problem with a similar Jacobian starts with quasi-Newton steps.
//
// Safeguards: if |f_k| exceeds `restart_factor` times the smallest residual seen since the last
// restart, or has not improved on it (by 10%) for `stall_restart` steps (stale or degenerate history,
// e.g. differences inherited from a related problem), the history is cleared and the step falls back
// to damped iteration.
#include <Eigen/Dense>

#include <deque>

namespace gdmft {

struct AndersonOptions {
    int memory = 6;                // number of stored differences (0 = damped iteration)
    double damping = 0.5;          // beta in (0, 1]
    double regularization = 1e-10; // Tikhonov weight relative to |dF|_F^2
    double restart_factor = 10.0;  // clear the history when the residual grows by this factor
    int stall_restart = 15;        // ... or has not fallen below 0.9 x its best for this many steps (0: never)
    void validate() const;         // throws BadInput naming the field
};

class AndersonMixer {
public:
    explicit AndersonMixer(AndersonOptions o = {});
    // Given the current iterate x and g = G(x), returns the next iterate.
    Eigen::VectorXd next(const Eigen::VectorXd& x, const Eigen::VectorXd& g);
    void reset();
    // Starts a new but related fixed-point problem (e.g. the same map with other random numbers or more
    // paths): the stored differences are kept as Jacobian information, the last point is forgotten.
    void forget_point();
    int restarts() const { return restarts_; }
    std::size_t history_size() const { return dx_.size(); }

private:
    AndersonOptions o_;
    Eigen::VectorXd x_prev_, f_prev_;
    bool have_prev_ = false;
    std::deque<Eigen::VectorXd> dx_, df_;
    double best_ = 0;
    int since_best_ = 0;
    int restarts_ = 0;
};

}  // namespace gdmft
