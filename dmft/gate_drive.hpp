#pragma once
// Time-dependent inputs into the gate equations (THEORY.md 3: reset), the same for every unit:
//   tau_z dz_i/dt = -z_i + sum_j Jz_ij phi(h_j) + b_z(t),   tau_r dr_i/dt = -r_i + sum_j Jr_ij phi(h_j) + b_r(t)
// (an instantaneous gate, tau = 0, is z_i = sum_j Jz_ij phi(h_j) + b_z(t)). In the DMFT the drive shifts
// the mean of the Gaussian gate fields: z = low-pass(eta_z) + low-pass(b_z), likewise r.
//
// A drive is one smooth pulse b(t) = amplitude * w(t): w rises from 0 to 1 over [t_on, t_on + rise]
// (cubic smoothstep, continuous with its derivative), stays 1 until t_off, and falls back to 0 over
// [t_off, t_off + rise]. A positive b_z opens the update gate (faster forgetting); a negative b_r closes
// the output gate.
namespace gdmft {

struct GateDrive {
    double amp_z = 0.0, amp_r = 0.0;  // amplitudes into the z and r equations
    double t_on = 0.0, t_off = 0.0;   // start of the rise and start of the fall (t_off >= t_on)
    double rise = 1.0;                // rise and fall duration (> 0)

    double shape(double t) const;     // w(t) in [0, 1]
    double b_z(double t) const { return amp_z * shape(t); }
    double b_r(double t) const { return amp_r * shape(t); }
    bool active() const { return amp_z != 0.0 || amp_r != 0.0; }
    // Throws BadInput naming the key (drive_amp_z, drive_amp_r, drive_t_on, drive_t_off, drive_rise).
    void validate() const;
};

}  // namespace gdmft
