// gdmft complexity: the annealed Kac-Rice complexity of the fixed points (THEORY.md 10; dmft/complexity.hpp),
// at one point or along --scan NAME:MIN:MAX with the onset where Sigma turns positive.
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/complexity_scan.hpp"
#include "io/complexity_io.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"

#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct ComplexityCli {
    CommonOptions common;
    std::string scan;
    int points = 41;
};

void print_point(const ComplexityResult& r) {
    std::printf("g_eff %.10g\n  Sigma %.10g\n  second_moment %.10g\n  unstable_fraction %s\n  q %.6g t %.6g m %.6g\n",
                r.g_eff, r.Sigma, r.second_moment,
                r.unstable_fraction ? fmt("%.6g", *r.unstable_fraction).c_str() : "null", r.q, r.t, r.m);
    if (r.gated)
        std::printf("  gated saddle: q %.6g q_v %.6g t %.6g p %.6g p' %.6g m1 %.6g m2 %.6g, S* %.10g\n", r.gated->q,
                    r.gated->q_v, r.gated->t, r.gated->p, r.gated->pp, r.gated->m1, r.gated->m2, r.branch_value.value_or(0));
    std::printf("  %s\n", r.message.c_str());
}

}  // namespace

Command add_complexity(CLI::App& root) {
    auto cli = std::make_shared<ComplexityCli>();
    CLI::App* cmd = root.add_subcommand("complexity", "annealed Kac-Rice complexity of the fixed points (SCS limit alpha_r = 0, and the gated network alpha_r != 0; no input)");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, false);
    auto* scan = cmd->add_option("--scan", cli->scan, "NAME:MIN:MAX, a model parameter to scan (usually g_h)");
    cmd->add_option("--points", cli->points, "rows of the scan (>= 2)")->capture_default_str()->needs(scan);

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        resolve_model(cli->common);
        const bool scanning = !cli->scan.empty();
        ParameterAxis axis;
        if (scanning) {
            axis = parse_axis("scan", cli->scan, false);
            if (cli->points < 2) throw BadInput("points", "must be >= 2, got " + std::to_string(cli->points));
        }
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        nlohmann::json settings;
        if (scanning) {
            settings["scan"] = axis.to_string();
            settings["points"] = cli->points;
        }
        const nlohmann::json meta = run_meta(cli->common, settings);
        nlohmann::json j = meta;
        bool converged = true;
        if (scanning) {
            const ComplexityScan s = complexity_scan(cli->common.model, axis, cli->points);
            // The point keys describe the model as given (the scanned parameter at its flag value).
            const ComplexityResult here = annealed_complexity(cli->common.model);
            j.update(io::to_json(here));
            j.update(io::to_json(s));
            converged = s.converged && here.converged;
            if (!cli->common.out_dir.empty()) {
                std::vector<double> v;
                std::vector<ComplexityResult> rs;
                for (const auto& row : s.rows) v.push_back(row.value), rs.push_back(row.result);
                write_csv(cli->common.out_dir + "/complexity.csv", meta, io::complexity_columns(axis.name),
                          io::complexity_table(v, rs));
            }
            if (!cli->common.json) {
                std::printf("%12s %14s %14s %12s\n", axis.name.c_str(), "Sigma", "second_moment", "unstable");
                for (const auto& row : s.rows)
                    std::printf("%12.6g %14.8g %14.8g %12.6g\n", row.value, row.result.Sigma, row.result.second_moment,
                                row.result.unstable_fraction.value_or(-1));
                std::printf("onset %s (%s)%s\n(%.2f s)\n", s.onset ? fmt("%.10g", *s.onset).c_str() : "none",
                            s.onset_message.c_str(), s.onset_q ? fmt(", q there %.6g", *s.onset_q).c_str() : "", s.seconds);
            }
        } else {
            const ComplexityResult r = annealed_complexity(cli->common.model);
            j.update(io::to_json(r));
            converged = r.converged;
            if (!cli->common.out_dir.empty())
                write_csv(cli->common.out_dir + "/complexity.csv", meta, io::complexity_columns("g_h"),
                          io::complexity_table({cli->common.model.g_h}, {r}));
            if (!cli->common.json) print_point(r);
        }
        if (cli->common.json) print_json(j);
        return converged ? kExitOk : kExitNotConverged;
    };
    return c;
}

}  // namespace gdmft::app
