// gdmft transitions: the zero instability, the fixed-point fold and the chaos onset along one parameter,
// with a scan table (THEORY.md 6; dmft/transitions.hpp).
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/transitions.hpp"
#include "io/transitions_io.hpp"
#include "numerics/errors.hpp"
#include "numerics/format.hpp"

#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct TransitionsCli {
    CommonOptions common;
    std::string scan;
    int points = 41;
    bool no_lyapunov = false;
    bool latex = false, no_plot = false;
};

void print_human(const TransitionsResult& r) {
    auto v = [](bool found, double x) { return found ? fmt("%.10g", x) : std::string("none in range"); };
    std::printf("scan %s in [%g, %g]\n", r.scan.name.c_str(), r.scan.min, r.scan.max);
    std::printf("  g_zero_unstable  %s %s\n", v(r.zero_unstable.found, r.zero_unstable.value).c_str(),
                r.zero_unstable.message.c_str());
    std::printf("  g_fp             %s  (D_fold %.6g, |dU/dD - 1| %.2g) %s\n",
                v(r.fixed_point.found, r.fixed_point.value).c_str(), r.fixed_point.D_fold, r.fixed_point.residual,
                r.fixed_point.message.c_str());
    std::printf("  g_chaos          %s  (%s, C_h0 %.6g) %s\n", v(r.chaos.found, r.chaos.value).c_str(),
                r.chaos.end.c_str(), r.chaos.c0, r.chaos.message.c_str());
    if (r.chaos.found)
        std::printf("  discontinuous    %s  jump C_h0 %.6g, jump lambda_max %.6g\n", r.chaos.discontinuous ? "yes" : "no",
                    r.chaos.jump_C_h0, r.chaos.jump_lambda_max);
    std::printf("%12s %12s %12s %10s %8s %8s\n", r.scan.name.c_str(), "C_h0", "lambda_max", "G", "branches", "state");
    for (const auto& row : r.rows)
        std::printf("%12.6g %12.6g %12.6g %10.6g %8d %8s\n", row.value, row.C_h0, row.lambda_max, row.G, row.branches,
                    row.bistable ? "bistable" : row.chaotic ? "chaotic" : row.stable ? "stable" : "-");
    std::printf("(%.2f s)\n", r.seconds);
}

}  // namespace

Command add_transitions(CLI::App& root) {
    auto cli = std::make_shared<TransitionsCli>();
    CLI::App* cmd = root.add_subcommand("transitions", "zero instability, fixed-point fold and chaos onset along one parameter");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, false);
    cmd->add_option("--scan", cli->scan, "NAME:MIN:MAX, the scanned model parameter")->required();
    cmd->add_option("--points", cli->points, "rows of the scan table (>= 2)")->capture_default_str();
    cmd->add_flag("--no-lyapunov", cli->no_lyapunov, "leave lambda_max out of the scan table");
    cmd->add_flag("--latex", cli->latex, "with --out: also write transitions.tex (booktabs) next to transitions.md");
    cmd->add_flag("--no-plot", cli->no_plot, "with --out: do not draw transitions.png");

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        const ParameterAxis axis = parse_axis("scan", cli->scan, false);
        if (cli->points < 2) throw BadInput("points", "must be >= 2, got " + std::to_string(cli->points));
        resolve_model(cli->common);
        if (!cli->common.out_dir.empty()) ensure_dir(cli->common.out_dir);
        TransitionOptions o;
        o.points = cli->points;
        o.lyapunov = !cli->no_lyapunov;
        o.observer = observer(cli->common);
        const TransitionsResult r = transitions(cli->common.model, axis, o);
        nlohmann::json settings;
        settings["scan"] = axis.to_string();
        settings["points"] = cli->points;
        const nlohmann::json meta = run_meta(cli->common, settings);
        nlohmann::json j = meta;
        j.update(io::to_json(r));
        if (!cli->common.out_dir.empty()) {
            write_csv(cli->common.out_dir + "/transitions.csv", meta, io::scan_columns(axis.name), io::scan_table(r));
            write_atomic(cli->common.out_dir + "/transitions.json", j.dump(2) + "\n");
            write_atomic(cli->common.out_dir + "/transitions.md", io::transitions_markdown(r));
            if (cli->latex) write_atomic(cli->common.out_dir + "/transitions.tex", io::transitions_latex(r));
            if (!cli->no_plot)
                run_plot("transitions", "plot_transitions.py",
                         {cli->common.out_dir + "/transitions.csv", cli->common.out_dir + "/transitions.json",
                          cli->common.out_dir + "/transitions.png"});
        }
        if (cli->common.json) print_json(j);
        else print_human(r);
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
