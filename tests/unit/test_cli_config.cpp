// The command-line conventions: config-file keys, precedence of flags, bad input naming the key,
// and CSV headers that record the run.
#include "app/cli.hpp"
#include "app/config_file.hpp"
#include "app/output.hpp"
#include "numerics/errors.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace gdmft;
using namespace gdmft::app;

namespace {
std::string temp_file(const std::string& name, const std::string& text) {
    const auto p = std::filesystem::temp_directory_path() / name;
    std::ofstream(p) << text;
    return p.string();
}

// Parses args (after the subcommand) with the config applied the way main.cpp does.
CommonOptions parse(const std::vector<std::string>& args_in) {
    CLI::App root;
    root.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    CommonOptions o;
    CLI::App* sub = root.add_subcommand("demo");
    add_model_options(*sub, o);
    add_output_options(*sub, o, true);
    std::vector<std::string> args = {"demo"};
    args.insert(args.end(), args_in.begin(), args_in.end());
    const std::string cfg = find_config_path(args);
    if (!cfg.empty()) {
        const auto tokens = config_tokens(cfg, *sub);
        args.insert(args.begin() + 1, tokens.begin(), tokens.end());
    }
    std::vector<const char*> argv{"gdmft"};
    for (auto& a : args) argv.push_back(a.c_str());
    root.parse(static_cast<int>(argv.size()), argv.data());
    resolve_model(o);
    return o;
}
}  // namespace

TEST_CASE("defaults follow INTERFACE.md") {
    const auto o = parse({});
    CHECK(o.model.g_h == 3.0);
    CHECK(o.model.g_z == 1.0);
    CHECK(o.model.g_r == 1.0);
    CHECK(o.model.tau_h == 1.0);
    CHECK(o.model.alpha_z == 0.0);
    CHECK(o.model.phi == PhiKind::Tanh);
}

TEST_CASE("config keys use underscores and flags override them") {
    const auto path = temp_file("gdmft_cfg_ok.toml", "g_h = 2.5\nalpha_r = 4\nphi = \"erf\"\ninput_std = 0.25\n");
    auto o = parse({"--config", path});
    CHECK(o.model.g_h == 2.5);
    CHECK(o.model.alpha_r == 4.0);
    CHECK(o.model.input_std == 0.25);
    CHECK(o.model.phi == PhiKind::Erf);
    o = parse({"--config", path, "--g-h", "1.75"});
    CHECK(o.model.g_h == 1.75);
    o = parse({"--g-h", "1.75", "--config", path});  // the flag wins wherever it stands
    CHECK(o.model.g_h == 1.75);
}

TEST_CASE("bad input names the key and the rule") {
    const auto unknown = temp_file("gdmft_cfg_bad.toml", "g_h = 2\ng_x = 1\n");
    try {
        parse({"--config", unknown});
        FAIL("unknown key accepted");
    } catch (const BadInput& e) {
        CHECK(e.name == "g_x");
        CHECK(e.rule.find("unknown config key") != std::string::npos);
    }
    auto expect_bad = [](std::vector<std::string> args, const std::string& key) {
        try {
            parse(args);
            FAIL("accepted bad input for " << key);
        } catch (const BadInput& e) {
            CHECK(e.name == key);
        }
    };
    expect_bad({"--g-h", "-1"}, "g_h");
    expect_bad({"--tau-r", "-0.5"}, "tau_r");
    expect_bad({"--tau-h", "0"}, "tau_h");
    expect_bad({"--alpha-z", "nan"}, "alpha_z");
    expect_bad({"--input-mean", "inf"}, "input_mean");
    expect_bad({"--phi", "relu"}, "phi");
    CHECK_THROWS_AS(parse({"--g-h", "abc"}), CLI::ParseError);
}

TEST_CASE("CSV header records the run and files appear atomically") {
    CommonOptions o;
    o.seed = 42;
    o.model.g_h = 2.25;
    set_run_info({"demo", "gdmft demo --g-h 2.25", "test-version"});
    const auto meta = run_meta(o, {{"N", 100}});
    const std::string text = csv_text(meta, {"tau", "C_h"}, {{0.0, 0.1}, {1.5, 1.25}});
    CHECK(text.find("# params: ") != std::string::npos);
    CHECK(text.find("\"g_h\":2.25") != std::string::npos);
    CHECK(text.find("# seed: 42") != std::string::npos);
    CHECK(text.find("# command_line: \"gdmft demo --g-h 2.25\"") != std::string::npos);
    CHECK(text.find("\ntau,C_h\n0,1.5\n0.1,1.25\n") != std::string::npos);

    const auto dir = std::filesystem::temp_directory_path() / "gdmft_atomic_test";
    std::filesystem::remove_all(dir);
    ensure_dir(dir.string());
    write_atomic((dir / "a.csv").string(), text);
    std::ifstream in(dir / "a.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str() == text);
    // No temporary file is left behind.
    int files = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) { (void)e; ++files; }
    CHECK(files == 1);
    CHECK_THROWS_AS(csv_text(meta, {"a", "b"}, {{1.0}, {1.0, 2.0}}), std::logic_error);
}
