#pragma once
// The single-unit nonlinearities: phi (tanh or erf) and the sigmoid gates. One place for each.
#include <cmath>
#include <numbers>
#include <string>

namespace gdmft {

enum class PhiKind { Tanh, Erf };

inline std::string to_string(PhiKind k) { return k == PhiKind::Tanh ? "tanh" : "erf"; }

// phi(u) = tanh(u), or erf(sqrt(pi) u / 2) (unit slope at 0, closed-form Gaussian averages).
struct Phi {
    PhiKind kind = PhiKind::Tanh;
    static constexpr double erf_scale = 0.88622692545275801365;  // sqrt(pi)/2

    double operator()(double u) const {
        return kind == PhiKind::Tanh ? std::tanh(u) : std::erf(erf_scale * u);
    }
    double deriv(double u) const {
        if (kind == PhiKind::Tanh) {
            const double t = std::tanh(u);
            return 1.0 - t * t;
        }
        return std::exp(-erf_scale * erf_scale * u * u);  // d/du erf(a u) = 2a/sqrt(pi) e^{-a^2u^2} = e^{-a^2 u^2}
    }
    // Second derivative (used by Price-theorem Jacobians).
    double deriv2(double u) const {
        if (kind == PhiKind::Tanh) {
            const double t = std::tanh(u);
            return -2.0 * t * (1.0 - t * t);
        }
        const double a2 = erf_scale * erf_scale;
        return -2.0 * a2 * u * std::exp(-a2 * u * u);
    }
};

// Gate sigma(u) = 1 / (1 + exp(-alpha u + beta)); alpha = 0 makes it the constant 1/(1+e^beta).
struct Gate {
    double alpha = 0.0, beta = 0.0;

    double operator()(double u) const { return 1.0 / (1.0 + std::exp(-alpha * u + beta)); }
    double deriv(double u) const {
        const double s = (*this)(u);
        return alpha * s * (1.0 - s);
    }
    double at_zero() const { return 1.0 / (1.0 + std::exp(beta)); }
    bool constant() const { return alpha == 0.0; }
};

}  // namespace gdmft
