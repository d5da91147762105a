#include "app/cli.hpp"

#include "io/json.hpp"
#include "numerics/errors.hpp"

namespace gdmft::app {

void add_model_options(CLI::App& cmd, CommonOptions& o) {
    auto& m = o.model;
    cmd.add_option("--g-h", m.g_h, "coupling strength g_h")->capture_default_str()->group("Model");
    cmd.add_option("--g-z", m.g_z, "coupling strength g_z")->capture_default_str()->group("Model");
    cmd.add_option("--g-r", m.g_r, "coupling strength g_r")->capture_default_str()->group("Model");
    cmd.add_option("--alpha-z", m.alpha_z, "update (timescale) gate sensitivity")->capture_default_str()->group("Model");
    cmd.add_option("--beta-z", m.beta_z, "update gate bias")->capture_default_str()->group("Model");
    cmd.add_option("--alpha-r", m.alpha_r, "output gate sensitivity")->capture_default_str()->group("Model");
    cmd.add_option("--beta-r", m.beta_r, "output gate bias")->capture_default_str()->group("Model");
    cmd.add_option("--tau-h", m.tau_h, "time constant of h (> 0)")->capture_default_str()->group("Model");
    cmd.add_option("--tau-z", m.tau_z, "time constant of z (0 = instantaneous)")->capture_default_str()->group("Model");
    cmd.add_option("--tau-r", m.tau_r, "time constant of r (0 = instantaneous)")->capture_default_str()->group("Model");
    cmd.add_option("--input-mean", m.input_mean, "static input mean mu")->capture_default_str()->group("Model");
    cmd.add_option("--input-std", m.input_std, "quenched input spread s")->capture_default_str()->group("Model");
    cmd.add_option("--phi", o.phi, "nonlinearity: tanh or erf")->capture_default_str()->group("Model");
}

void add_output_options(CLI::App& cmd, CommonOptions& o, bool with_seed) {
    cmd.add_option("--config", o.config, "TOML file with keys named like the flags (underscores); flags override it");
    cmd.add_flag("--json", o.json, "print one JSON object on stdout");
    cmd.add_flag("--quiet", o.quiet, "no progress reports on stderr");
    cmd.add_option("--out", o.out_dir, "directory for CSV outputs");
    if (with_seed)
        cmd.add_option("--seed", o.seed, "random seed (an integer >= 0)")
            ->capture_default_str()
            ->check(CLI::Validator(
                [](std::string& v) -> std::string {
                    const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
                    return digits ? "" : "seed: must be an integer >= 0, got '" + v + "'";
                },
                "INT>=0"));
}

void resolve_model(CommonOptions& o) {
    o.model.phi = parse_phi(o.phi);
    o.model.validate();
}

const Observer* observer(const CommonOptions& o) {
    static const StderrObserver to_stderr;
    return o.quiet ? nullptr : &to_stderr;
}

namespace {
RunInfo& info_storage() {
    static RunInfo info;
    return info;
}
}  // namespace

const RunInfo& run_info() { return info_storage(); }
void set_run_info(RunInfo info) { info_storage() = std::move(info); }

nlohmann::json model_json(const ModelParams& m) { return io::to_json(m); }

nlohmann::json run_meta(const CommonOptions& o, const nlohmann::json& extra) {
    nlohmann::json j;
    j["version"] = run_info().version;
    j["command"] = run_info().command;
    j["command_line"] = run_info().command_line;
    j["seed"] = o.seed;
    j["params"] = model_json(o.model);
    if (!o.config.empty()) j["config"] = o.config;
    for (auto it = extra.begin(); it != extra.end(); ++it) j["settings"][it.key()] = it.value();
    return j;
}

}  // namespace gdmft::app
