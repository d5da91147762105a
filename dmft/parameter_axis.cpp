#include "dmft/parameter_axis.hpp"

#include "numerics/errors.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gdmft {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

double parse_number(const std::string& flag, const std::string& what, const std::string& s) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (s.empty() || used != s.size() || !std::isfinite(v))
        throw BadInput(flag, what + " must be a finite number, got '" + s + "'");
    return v;
}

std::string known_names() {
    std::string out;
    for (const auto& [name, v] : ModelParams{}.numeric_fields()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

}  // namespace

double ParameterAxis::value(int i) const {
    if (points < 2) return i == 0 ? min : max;
    if (i == points - 1) return max;
    return min + (max - min) * static_cast<double>(i) / static_cast<double>(points - 1);
}

std::vector<double> ParameterAxis::values() const {
    std::vector<double> v;
    for (int i = 0; i < points; ++i) v.push_back(value(i));
    return v;
}

std::string ParameterAxis::to_string() const {
    std::ostringstream s;
    s.precision(17);
    s << name << ':' << min << ':' << max;
    if (points > 0) s << ':' << points;
    return s.str();
}

ParameterAxis parse_axis(const std::string& flag, const std::string& text, bool with_points) {
    const std::string form = with_points ? "NAME:MIN:MAX:N" : "NAME:MIN:MAX";
    const auto parts = split(text, ':');
    if (parts.size() != (with_points ? 4u : 3u))
        throw BadInput(flag, "must have the form " + form + ", got '" + text + "'");
    ParameterAxis a;
    a.name = parts[0];
    std::replace(a.name.begin(), a.name.end(), '-', '_');
    ModelParams probe;
    if (probe.field(a.name) == nullptr)
        throw BadInput(flag, "unknown parameter '" + parts[0] + "' (one of " + known_names() + ")");
    a.min = parse_number(flag, "MIN", parts[1]);
    a.max = parse_number(flag, "MAX", parts[2]);
    if (!(a.min < a.max))
        throw BadInput(flag, "MIN must be < MAX, got " + parts[1] + " >= " + parts[2]);
    if (with_points) {
        const std::string& n = parts[3];
        const bool digits = !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || n.size() > 7) throw BadInput(flag, "N must be a whole number of points, got '" + n + "'");
        a.points = std::stoi(n);
        if (a.points < 2) throw BadInput(flag, "N must be >= 2 points, got " + n);
    }
    return a;
}

void require_distinct(const ParameterAxis& x, const ParameterAxis& y, const std::string& flag_y) {
    if (x.name == y.name) throw BadInput(flag_y, "must sweep a different parameter than the other axis ('" + x.name + "' on both)");
}

ModelParams with_parameter(ModelParams m, const std::string& name, double v) {
    double* f = m.field(name);
    if (f == nullptr) throw BadInput(name, "unknown model parameter");
    *f = v;
    return m;
}

double parameter_value(const ModelParams& m, const std::string& name) {
    ModelParams copy = m;
    const double* f = copy.field(name);
    if (f == nullptr) throw BadInput(name, "unknown model parameter");
    return *f;
}

}  // namespace gdmft
