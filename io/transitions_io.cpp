#include "io/transitions_io.hpp"

#include "io/json.hpp"
#include "io/latex_table.hpp"
#include "numerics/format.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

namespace gdmft::io {

nlohmann::json to_json(const TransitionsResult& r) {
    nlohmann::json j;
    j["scan_parameter"] = r.scan.name;
    j["scan_range"] = {r.scan.min, r.scan.max};
    const auto& z = r.zero_unstable;
    j["g_zero_unstable"] = z.found ? num(z.value) : nlohmann::json(nullptr);
    j["zero_unstable_closed_form"] = z.closed_form;
    j["zero_unstable_G0"] = num(z.G_constant);
    j["zero_unstable_message"] = z.message;
    const auto& f = r.fixed_point;
    j["g_fp"] = f.found ? num(f.value) : nlohmann::json(nullptr);
    j["fp_continuous"] = f.continuous;
    j["D_fold"] = f.found ? num(f.D_fold) : nlohmann::json(nullptr);
    j["fold_residual"] = num(f.residual);
    j["fold_map_residual"] = num(f.map_residual);
    j["fp_message"] = f.message;
    const auto& c = r.chaos;
    j["g_chaos"] = c.found ? num(c.value) : nlohmann::json(nullptr);
    j["chaos_supported"] = c.supported;
    j["discontinuous"] = c.found ? nlohmann::json(c.discontinuous) : nlohmann::json(nullptr);
    j["chaos_end"] = c.end;
    j["C_h0_at_onset"] = c.found ? num(c.c0) : nlohmann::json(nullptr);
    j["chaos_fold_slope"] = num(c.slope);
    j["fixed_point_Delta_h_at_onset"] = num(c.fixed_point_Delta_h);
    j["lambda_max_chaos_at_onset"] = num(c.lambda_chaos);
    j["lambda_max_fixed_point_at_onset"] = num(c.lambda_fixed_point);
    j["jump_C_h0"] = c.found ? num(c.jump_C_h0) : nlohmann::json(nullptr);
    j["jump_lambda_max"] = c.found ? num(c.jump_lambda_max) : nlohmann::json(nullptr);
    j["chaos_message"] = c.message;
    j["seconds"] = r.seconds;
    j["scan"] = nlohmann::json::array();
    for (const auto& row : r.rows) {
        nlohmann::json o;
        o[r.scan.name] = row.value;
        o["value"] = row.value;
        o["C_h0"] = row.solved ? num(row.C_h0) : nlohmann::json(nullptr);
        o["lambda_max"] = row.solved ? num(row.lambda_max) : nlohmann::json(nullptr);
        o["G"] = num(row.G);
        o["stable"] = row.stable;
        o["termination"] = row.termination;
        o["chaotic"] = row.chaotic;
        o["bistable"] = row.bistable;
        o["branches"] = row.branches;
        o["Delta_h_max"] = num(row.Delta_h_max);
        o["G_max"] = num(row.G_max);
        o["stable_max"] = row.stable_max;
        j["scan"].push_back(o);
    }
    return j;
}

std::vector<std::string> scan_columns(const std::string& name) {
    return {name, "C_h0", "lambda_max", "G", "stable", "chaotic", "bistable", "branches", "Delta_h_max", "G_max",
            "stable_max"};
}

std::vector<std::vector<double>> scan_table(const TransitionsResult& r) {
    std::vector<std::vector<double>> c(11);
    const double nan = std::nan("");
    for (const auto& row : r.rows) {
        c[0].push_back(row.value);
        c[1].push_back(row.solved ? row.C_h0 : nan);
        c[2].push_back(row.solved ? row.lambda_max : nan);
        c[3].push_back(row.G);
        c[4].push_back(row.stable);
        c[5].push_back(row.chaotic);
        c[6].push_back(row.bistable);
        c[7].push_back(row.branches);
        c[8].push_back(row.Delta_h_max);
        c[9].push_back(row.G_max);
        c[10].push_back(row.stable_max);
    }
    return c;
}

namespace {

nlohmann::json curve(const std::vector<double>& x, const std::vector<double>& y) {
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
        if (std::isfinite(y[i])) a.push_back({{"x", x[i]}, {"y", y[i]}});
    return a;
}

nlohmann::json threshold(const Threshold& t) {
    return t.found ? num(t.x) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const BoundaryResult& r) {
    nlohmann::json j;
    j["x_name"] = r.x_name;
    j["y_name"] = r.y_name;
    j["zero_unstable"] = curve(r.x, r.zero_unstable);
    j["fixed_point_fold"] = curve(r.x, r.fixed_point_fold);
    j["chaos_onset"] = curve(r.x, r.chaos_onset);
    j["D_fold"] = curve(r.x, r.D_fold);
    j["C_h0_at_onset"] = curve(r.x, r.c0_onset);
    j["first_order_fixed_point_at"] = threshold(r.first_order_fixed_point);
    j["first_order_fixed_point_message"] = r.first_order_fixed_point.message;
    j["discontinuous_chaos_at"] = threshold(r.discontinuous_chaos);
    j["discontinuous_chaos_message"] = r.discontinuous_chaos.message;
    j["chaos_message"] = r.chaos_message;
    j["seconds"] = r.seconds;
    return j;
}

std::string boundary_csv_text(const nlohmann::json& meta, const BoundaryResult& r) {
    std::ostringstream os;
    for (auto it = meta.begin(); it != meta.end(); ++it) os << "# " << it.key() << ": " << it.value().dump() << "\n";
    os << "# x_name: " << nlohmann::json(r.x_name).dump() << "\n";
    os << "# y_name: " << nlohmann::json(r.y_name).dump() << "\n";
    os << "x,y,line\n";
    char buf[64];
    auto rows = [&](const std::vector<double>& y, const char* line) {
        for (std::size_t i = 0; i < r.x.size() && i < y.size(); ++i) {
            if (!std::isfinite(y[i])) continue;
            std::snprintf(buf, sizeof buf, "%.10g,%.10g,", r.x[i], y[i]);
            os << buf << line << "\n";
        }
    };
    rows(r.zero_unstable, "zero_unstable");
    rows(r.fixed_point_fold, "fixed_point_fold");
    rows(r.chaos_onset, "chaos_onset");
    return os.str();
}

namespace {

// One row of the thresholds table; `numeric` rows print as math in LaTeX.
struct ThresholdRow {
    std::string name, value, note;
    bool numeric = false;
};

std::vector<ThresholdRow> threshold_rows(const TransitionsResult& r) {
    auto row = [](std::string name, bool found, double x, std::string note) {
        const bool ok = found && std::isfinite(x);
        return ThresholdRow{std::move(name), ok ? fmt("%.7g", x) : "none in range", std::move(note), ok};
    };
    std::vector<ThresholdRow> rows;
    rows.push_back(row("g_zero_unstable", r.zero_unstable.found, r.zero_unstable.value,
                       r.zero_unstable.found ? "G = 1 of the lowest fixed point" : r.zero_unstable.message));
    rows.push_back(row("g_fp", r.fixed_point.found, r.fixed_point.value,
                       r.fixed_point.found ? (r.fixed_point.continuous ? "continuous (D_fold = 0)"
                                                                       : "saddle-node at Delta_h = " + fmt("%.4g", r.fixed_point.D_fold))
                                           : r.fixed_point.message));
    rows.push_back(row("g_chaos", r.chaos.found, r.chaos.value,
                       r.chaos.found ? "end of the chaotic branch: " + r.chaos.end : r.chaos.message));
    if (r.chaos.found) {
        rows.push_back({"discontinuous", r.chaos.discontinuous ? "yes" : "no", "", false});
        if (r.chaos.discontinuous) {
            rows.push_back(row("jump in C_h0", true, r.chaos.jump_C_h0, "chaotic C_h0 at the onset minus the fixed point's"));
            rows.push_back(row("jump in lambda_max", true, r.chaos.jump_lambda_max, "chaos minus the stable fixed point"));
        }
    }
    return rows;
}

}  // namespace

std::string transitions_markdown(const TransitionsResult& r) {
    std::string out = "# gdmft transitions: " + r.scan.name + " in [" + format_uncertain(r.scan.min, 0) + ", " +
                      format_uncertain(r.scan.max, 0) + "]\n\n| quantity | value | note |\n|---|---|---|\n";
    for (const auto& row : threshold_rows(r)) out += "| " + row.name + " | " + row.value + " | " + row.note + " |\n";
    return out;
}

std::string transitions_latex(const TransitionsResult& r) {
    LatexTable t;
    t.caption = "Transitions along " + latex_escape(r.scan.name) + " (gdmft transitions).";
    t.align = "llp{0.5\\linewidth}";
    t.header = {"quantity", "value", "note"};
    for (const auto& row : threshold_rows(r))
        t.rows.push_back({latex_escape(row.name), row.numeric ? latex_number(row.value) : latex_escape(row.value),
                          latex_escape(row.note)});
    return latex_table(t);
}

}  // namespace gdmft::io
