// gdmft boundary: transition lines in two parameters by continuation (THEORY.md 6; dmft/boundary.hpp).
#include "app/commands.hpp"
#include "app/output.hpp"
#include "dmft/boundary.hpp"
#include "io/transitions_io.hpp"
#include "numerics/errors.hpp"

#include <cstdio>
#include <memory>

namespace gdmft::app {

namespace {

struct BoundaryCli {
    CommonOptions common;
    std::string x, y, y_range = "0.001:20";
    int points = 41;
};

}  // namespace

Command add_boundary(CLI::App& root) {
    auto cli = std::make_shared<BoundaryCli>();
    CLI::App* cmd = root.add_subcommand("boundary", "transition lines y(x) traced by continuation in x");
    add_model_options(*cmd, cli->common);
    add_output_options(*cmd, cli->common, false);
    cmd->add_option("--x", cli->x, "NAME:MIN:MAX, the range parameter")->required();
    cmd->add_option("--y", cli->y, "NAME, the parameter whose transition values are found (usually g_h)")->required();
    cmd->add_option("--y-range", cli->y_range, "MIN:MAX bracket for y where no closed form applies")->capture_default_str();
    cmd->add_option("--points", cli->points, "points along x (>= 2)")->capture_default_str();

    Command c;
    c.app = cmd;
    c.run = [cli]() {
        ParameterAxis x = parse_axis("x", cli->x, false);
        const ParameterAxis y = parse_axis("y-range", cli->y + ":" + cli->y_range, false);
        if (y.name == x.name) throw BadInput("y", "must sweep a different parameter than --x ('" + x.name + "' on both)");
        if (cli->points < 2) throw BadInput("points", "must be >= 2, got " + std::to_string(cli->points));
        if (cli->common.out_dir.empty()) throw BadInput("out", "boundary needs --out DIR (it writes DIR/boundary.csv)");
        x.points = cli->points;
        resolve_model(cli->common);
        ensure_dir(cli->common.out_dir);
        BoundaryOptions o;
        o.y_min = y.min;
        o.y_max = y.max;
        o.observer = observer(cli->common);
        const BoundaryResult r = trace_boundary(cli->common.model, x, y.name, o);
        nlohmann::json settings;
        settings["x"] = x.to_string();
        settings["y"] = y.name;
        settings["y_range"] = {y.min, y.max};
        const nlohmann::json meta = run_meta(cli->common, settings);
        write_atomic(cli->common.out_dir + "/boundary.csv", io::boundary_csv_text(meta, r));
        nlohmann::json j = meta;
        j.update(io::to_json(r));
        write_atomic(cli->common.out_dir + "/boundary.json", j.dump(2) + "\n");
        if (cli->common.json) {
            print_json(j);
        } else {
            std::printf("%12s %14s %14s %14s\n", x.name.c_str(), "zero_unstable", "fixed_point_fold", "chaos_onset");
            for (std::size_t i = 0; i < r.x.size(); ++i)
                std::printf("%12.6g %14.8g %14.8g %14.8g\n", r.x[i], r.zero_unstable[i], r.fixed_point_fold[i],
                            r.chaos_onset.empty() ? NAN : r.chaos_onset[i]);
            std::printf("fixed-point transition first order at %s = %.8g %s\n", x.name.c_str(),
                        r.first_order_fixed_point.x, r.first_order_fixed_point.message.c_str());
            std::printf("chaotic transition discontinuous at %s = %.8g %s\n", x.name.c_str(), r.discontinuous_chaos.x,
                        r.discontinuous_chaos.message.c_str());
            if (!r.chaos_message.empty()) std::printf("%s\n", r.chaos_message.c_str());
            std::printf("(%.2f s; wrote %s/boundary.csv)\n", r.seconds, cli->common.out_dir.c_str());
        }
        return kExitOk;
    };
    return c;
}

}  // namespace gdmft::app
