#pragma once
// Time stepping with Boost.Odeint on Eigen state matrices (vector_space_algebra): fixed-step classic
// RK4 (default) or adaptive Dormand-Prince 5(4) with error control. A state matrix holds trajectories
// and tangent vectors side by side (network.hpp); stepping the whole matrix with one Runge-Kutta scheme
// makes the tangent columns the exact derivative of the step map (a Runge-Kutta step of the variational
// system is the linearisation of the Runge-Kutta step), never a finite-difference twin.
#include <Eigen/Dense>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace gdmft::sim {

// dx/dt = f(x, t) on state matrices.
using System = std::function<void(const Eigen::MatrixXd& x, Eigen::MatrixXd& dxdt, double t)>;

enum class IntegratorKind { Rk4, Dopri5 };
IntegratorKind parse_integrator(const std::string& s);  // throws BadInput("integrator", ...)
std::string to_string(IntegratorKind k);

struct IntegratorOptions {
    IntegratorKind kind = IntegratorKind::Rk4;
    double dt = 0.05;        // RK4: the step; Dopri5: the first trial step
    double abs_tol = 1e-8;   // Dopri5 error control
    double rel_tol = 1e-6;
    double min_dt = 1e-10;   // Dopri5: a step below this is a numerical failure
};

class Integrator {
public:
    explicit Integrator(const IntegratorOptions& o);
    ~Integrator();
    Integrator(const Integrator&) = delete;
    Integrator& operator=(const Integrator&) = delete;

    // Advances x from t to t_end (t is updated to t_end). RK4 takes ceil((t_end-t)/dt) equal steps
    // (exactly dt when the interval is a multiple of dt); Dopri5 adapts and lands on t_end.
    void advance(const System& f, Eigen::MatrixXd& x, double& t, double t_end);
    // Call after changing x outside advance() (e.g. re-orthonormalised tangents): Dopri5 keeps the
    // derivative of its last stage (first-same-as-last) and must recompute it.
    void state_changed();

    std::size_t steps() const { return steps_; }
    std::size_t rejected() const { return rejected_; }
    const IntegratorOptions& options() const { return opt_; }

private:
    struct Steppers;
    IntegratorOptions opt_;
    std::unique_ptr<Steppers> s_;
    double dt_next_;
    std::size_t steps_ = 0, rejected_ = 0;
};

}  // namespace gdmft::sim
