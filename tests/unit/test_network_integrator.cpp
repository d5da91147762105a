// Time stepping (validation/integrator): the convergence order of RK4 measured against exact solutions,
// the exact tangent of the RK4 step against finite differences of the step map, and Dopri5 accuracy.
#include "numerics/errors.hpp"
#include "validation/integrator.hpp"
#include "validation/network.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace gdmft;
using namespace gdmft::sim;

namespace {

// x' = A x with A = [[-g, -w], [w, -g]]: x(t) = e^{-g t} R(w t) x(0) (a damped rotation).
constexpr double kGamma = 0.3, kOmega = 2.0;
const System damped_rotation = [](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) {
    dx.resize(2, x.cols());
    dx.row(0) = -kGamma * x.row(0) - kOmega * x.row(1);
    dx.row(1) = kOmega * x.row(0) - kGamma * x.row(1);
};
Eigen::Vector2d exact_rotation(double t) {
    return std::exp(-kGamma * t) * Eigen::Vector2d(std::cos(kOmega * t), std::sin(kOmega * t));
}

// Least-squares slope of log(err) against log(dt).
double fitted_order(const std::vector<double>& dts, const std::vector<double>& errs) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = double(dts.size());
    for (std::size_t k = 0; k < dts.size(); ++k) {
        const double x = std::log(dts[k]), y = std::log(errs[k]);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

ModelParams gated() {
    ModelParams p;
    p.g_h = 2.5, p.g_z = 1.2, p.g_r = 1.0;
    p.alpha_z = 2.0, p.alpha_r = 1.5, p.beta_r = 0.5;
    p.tau_z = 0.8, p.tau_r = 0.0;
    p.input_std = 0.3;
    return p;
}

}  // namespace

TEST_CASE("RK4 converges with order 4 on a linear system with an exact solution") {
    const double T = 5.0;
    std::vector<double> dts{0.2, 0.1, 0.05, 0.025}, errs;
    for (double dt : dts) {
        Integrator integ({IntegratorKind::Rk4, dt});
        Eigen::MatrixXd x = Eigen::Vector2d(1.0, 0.0);
        double t = 0;
        integ.advance(damped_rotation, x, t, T);
        CHECK(t == T);
        CHECK(integ.steps() == static_cast<std::size_t>(std::lround(T / dt)));
        errs.push_back((x.col(0) - exact_rotation(T)).norm());
    }
    const double order = fitted_order(dts, errs);
    MESSAGE("RK4 order on the damped rotation: " << order);
    CHECK(order == doctest::Approx(4.0).epsilon(0.05));
}

TEST_CASE("RK4 converges with order 4 on the gated network (self-convergence)") {
    const Network net(gated(), {60, 3, false, false});
    const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, Columns{1, 0}); };
    auto solve = [&](double dt) {
        Integrator integ({IntegratorKind::Rk4, dt});
        Eigen::MatrixXd x = net.initial_state(0);
        double t = 0;
        integ.advance(f, x, t, 4.0);
        return Eigen::VectorXd(x.col(0));
    };
    const Eigen::VectorXd ref = solve(0.2 / 64);
    std::vector<double> dts{0.2, 0.1, 0.05}, errs;
    for (double dt : dts) errs.push_back((solve(dt) - ref).norm());
    const double order = fitted_order(dts, errs);
    MESSAGE("RK4 order on the network: " << order);
    CHECK(order == doctest::Approx(4.0).epsilon(0.1));
}

TEST_CASE("tangent columns give the exact derivative of the RK4 step map") {
    for (double tau_z : {0.8, 0.0}) {
        ModelParams p = gated();
        p.tau_z = tau_z;
        const Network net(p, {50, 9, false, false});
        const Eigen::Index d = static_cast<Eigen::Index>(net.dim());
        const double dt = 0.1;
        auto step = [&](const Eigen::MatrixXd& x0, const Columns& cols) {
            const System f = [&](const Eigen::MatrixXd& x, Eigen::MatrixXd& dx, double) { net.rhs(x, dx, cols); };
            Integrator integ({IntegratorKind::Rk4, dt});
            Eigen::MatrixXd x = x0;
            double t = 0;
            integ.advance(f, x, t, dt);
            return x;
        };
        Eigen::MatrixXd X(d, 3);
        X.col(0) = net.initial_state(0) * 1.3;
        X.col(1) = net.initial_state(1).normalized();
        X.col(2) = net.initial_state(2).normalized();
        const Eigen::MatrixXd out = step(X, Columns{1, 2});
        for (int c = 1; c < 3; ++c) {
            const double eps = 1e-5;
            const Eigen::MatrixXd xp = step(X.col(0) + eps * X.col(c), Columns{1, 0});
            const Eigen::MatrixXd xm = step(X.col(0) - eps * X.col(c), Columns{1, 0});
            const Eigen::VectorXd fd = (xp - xm) / (2 * eps);
            const double err = (out.col(c) - fd).cwiseAbs().maxCoeff();
            CAPTURE(tau_z);
            CHECK(err < 1e-8 * fd.cwiseAbs().maxCoeff());
        }
    }
}

TEST_CASE("Dopri5 meets its tolerance and lands on the requested time") {
    for (double tol : {1e-6, 1e-9}) {
        Integrator integ({IntegratorKind::Dopri5, 0.1, tol, tol});
        Eigen::MatrixXd x = Eigen::Vector2d(1.0, 0.0);
        double t = 0;
        for (int k = 1; k <= 10; ++k) {
            integ.advance(damped_rotation, x, t, 0.7 * k);
            CHECK(t == 0.7 * k);
        }
        const double err = (x.col(0) - exact_rotation(7.0)).norm();
        MESSAGE("dopri5 tol " << tol << ": error " << err << " in " << integ.steps() << " steps");
        CHECK(err < 100 * tol);
        // Changing the state between calls (as the QR step does) is allowed after state_changed().
        x *= 2.0;
        integ.state_changed();
        integ.advance(damped_rotation, x, t, 8.0);
        CHECK((x.col(0) - 2.0 * exact_rotation(8.0)).norm() < 200 * tol);
    }
    // Tighter tolerance, more steps.
    Integrator loose({IntegratorKind::Dopri5, 0.1, 1e-4, 1e-4}), tight({IntegratorKind::Dopri5, 0.1, 1e-10, 1e-10});
    Eigen::MatrixXd a = Eigen::Vector2d(1.0, 0.0), b = a;
    double ta = 0, tb = 0;
    loose.advance(damped_rotation, a, ta, 5.0);
    tight.advance(damped_rotation, b, tb, 5.0);
    CHECK(tight.steps() > 3 * loose.steps());
}

TEST_CASE("integrator names") {
    CHECK(parse_integrator("rk4") == IntegratorKind::Rk4);
    CHECK(parse_integrator("dopri5") == IntegratorKind::Dopri5);
    CHECK_THROWS_AS(parse_integrator("euler"), BadInput);
}
