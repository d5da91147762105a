#include "dmft/gate_drive.hpp"

#include "numerics/errors.hpp"

#include <cmath>
#include <utility>

namespace gdmft {

namespace {
double smoothstep(double x) {
    if (x <= 0) return 0.0;
    if (x >= 1) return 1.0;
    return x * x * (3.0 - 2.0 * x);
}
}  // namespace

double GateDrive::shape(double t) const {
    if (!active()) return 0.0;
    return smoothstep((t - t_on) / rise) - smoothstep((t - t_off) / rise);
}

void GateDrive::validate() const {
    for (const auto& [name, v] : {std::pair{"drive_amp_z", amp_z}, {"drive_amp_r", amp_r}, {"drive_t_on", t_on},
                                  {"drive_t_off", t_off}, {"drive_rise", rise}})
        if (!std::isfinite(v)) throw BadInput(name, "must be a finite number");
    if (!(rise > 0)) throw BadInput("drive_rise", "must be > 0");
    if (t_off < t_on) throw BadInput("drive_t_off", "must be >= drive_t_on");
}

}  // namespace gdmft
