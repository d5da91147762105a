// Gaussian averages against closed forms (erf) and an independent adaptive quadrature (GSL QAGI).
#include "numerics/gaussian_average.hpp"
#include "numerics/nonlinearity.hpp"

#include <doctest/doctest.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include <cmath>
#include <functional>
#include <numbers>

using namespace gdmft;

namespace {
// Independent reference: GSL adaptive integration over the real line of f(mu + sd x) N(x).
double gsl_mean(std::function<double(double)> f, double mu, double var) {
    struct Ctx { std::function<double(double)>* f; double mu, sd; } ctx{&f, mu, std::sqrt(var)};
    gsl_function F;
    F.function = [](double x, void* p) {
        auto* c = static_cast<Ctx*>(p);
        return (*c->f)(c->mu + c->sd * x) * std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
    };
    F.params = &ctx;
    // Gauss-Kronrod 61 adaptive on [-12, 12] (the tail beyond carries < 1e-30), split at 0.
    gsl_integration_workspace* w = gsl_integration_workspace_alloc(4000);
    double result = 0, part, err;
    for (auto [a, b] : {std::pair{-12.0, 0.0}, std::pair{0.0, 12.0}}) {
        gsl_integration_qag(&F, a, b, 1e-15, 1e-13, 4000, GSL_INTEG_GAUSS61, w, &part, &err);
        result += part;
    }
    gsl_integration_workspace_free(w);
    return result;
}
}  // namespace

TEST_CASE("bivariate erf averages match the closed form to 1e-10") {
    const Phi erf_phi{PhiKind::Erf};
    auto f = [&](double u) { return erf_phi(u); };
    for (double var : {0.1, 1.0, 3.0, 10.0, 30.0}) {
        for (double rho : {-0.95, -0.3, 0.0, 0.5, 0.9, 0.999}) {
            const double vy = 0.7 * var;
            const double cov = rho * std::sqrt(var * vy);
            const double q = gauss::bivariate(f, f, 0, var, 0, vy, cov);
            CHECK(std::abs(q - gauss::erf_pair_closed_form(var, vy, cov)) < 1e-10);
        }
        // Equal-variance stationary form, both signs of c.
        std::vector<double> cs = {-var, -0.4 * var, 0.0, 0.3 * var, 0.99 * var, var};
        auto pair = gauss::stationary_pair(f, 0.0, var, cs);
        for (std::size_t i = 0; i < cs.size(); ++i)
            CHECK(std::abs(pair[i] - gauss::erf_pair_closed_form(var, var, cs[i])) < 1e-10);
    }
}

TEST_CASE("tanh averages are accurate to 1e-8 at variances up to 50") {
    auto t2 = [](double u) { return std::tanh(u) * std::tanh(u); };
    auto d2 = [](double u) { const double t = std::tanh(u); return (1 - t * t) * (1 - t * t); };
    auto lc = [](double u) { return std::log(std::cosh(u)); };
    gsl_set_error_handler_off();
    for (double var : {0.01, 0.5, 2.0, 10.0, 25.0, 50.0}) {
        for (double mu : {0.0, 0.7}) {
            CHECK(std::abs(gauss::mean(t2, mu, var) - gsl_mean(t2, mu, var)) < 1e-8);
            CHECK(std::abs(gauss::mean(d2, mu, var) - gsl_mean(d2, mu, var)) < 1e-8);
            CHECK(std::abs(gauss::mean(lc, mu, var) - gsl_mean(lc, mu, var)) < 1e-8);
        }
    }
}

TEST_CASE("bivariate tanh average at full correlation equals the one-dimensional average") {
    // c = c0 makes x = y: <tanh(x)^2>; c = -c0 gives -<tanh^2> by oddness. Exact limits.
    auto f = [](double u) { return std::tanh(u); };
    for (double var : {0.5, 5.0, 50.0}) {
        const double one = gauss::mean([](double u) { return std::tanh(u) * std::tanh(u); }, 0, var);
        auto pair = gauss::stationary_pair(f, 0.0, var, {var, -var, 0.0});
        CHECK(std::abs(pair[0] - one) < 1e-10);
        CHECK(std::abs(pair[1] + one) < 1e-10);
        CHECK(std::abs(pair[2]) < 1e-12);
        CHECK(std::abs(gauss::bivariate(f, f, 0, var, 0, var, 0.999999 * var) - one) < 1e-5);
    }
}
