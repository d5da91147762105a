// gdmft: dynamical mean-field theory of gated recurrent networks, checked against finite-N simulation.
#include "app/commands.hpp"
#include "app/config_file.hpp"
#include "numerics/errors.hpp"

#include <cstdio>
#include <string>
#include <vector>

using namespace gdmft;
using namespace gdmft::app;

namespace {

std::string flag_of(const std::string& key) {
    std::string f = "--" + key;
    for (char& c : f)
        if (c == '_') c = '-';
    return f;
}

int bad_input(const std::string& msg) {
    std::fprintf(stderr, "gdmft: bad input: %s\n", msg.c_str());
    return kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App root{"gdmft: dynamical mean-field theory of gated recurrent networks"};
    root.require_subcommand(1);
    root.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    root.set_version_flag("--version", GDMFT_VERSION);

    // Each subcommand registers itself here (one line each).
    std::vector<Command> commands;
    commands.push_back(add_simulate(root));
    commands.push_back(add_solve(root));
    commands.push_back(add_fixedpoint(root));
    commands.push_back(add_validate(root));
    commands.push_back(add_spectrum(root));
    commands.push_back(add_memory(root));
    commands.push_back(add_transient(root));
    commands.push_back(add_transitions(root));
    commands.push_back(add_boundary(root));
    commands.push_back(add_fate(root));
    commands.push_back(add_phase(root));
    commands.push_back(add_complexity(root));
    commands.push_back(add_gradient(root));

    std::vector<std::string> args(argv + 1, argv + argc);
    std::string line = "gdmft";
    for (const auto& a : args) line += " " + a;

    try {
        // Config-file keys become tokens right after the subcommand name, so later flags override them.
        const std::string cfg = find_config_path(args);
        if (!cfg.empty() && !args.empty()) {
            CLI::App* sub = nullptr;
            for (auto& c : commands)
                if (c.app->get_name() == args[0]) sub = c.app;
            if (sub == nullptr) throw BadInput("config", "--config needs a subcommand before it");
            const auto tokens = config_tokens(cfg, *sub);
            args.insert(args.begin() + 1, tokens.begin(), tokens.end());
        }
        std::vector<char*> cargv{argv[0]};
        for (auto& a : args) cargv.push_back(a.data());
        root.parse(static_cast<int>(cargv.size()), cargv.data());
    } catch (const CLI::CallForHelp& e) {
        return root.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return root.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return root.exit(e);
    } catch (const CLI::ParseError& e) {
        return bad_input(e.what());
    } catch (const BadInput& e) {
        return bad_input(flag_of(e.name) + " (" + e.name + "): " + e.rule);
    }

    for (auto& c : commands) {
        if (!c.app->parsed()) continue;
        set_run_info({c.app->get_name(), line, GDMFT_VERSION});
        try {
            return c.run();
        } catch (const BadInput& e) {
            return bad_input(flag_of(e.name) + " (" + e.name + "): " + e.rule);
        } catch (const NumericalFailure& e) {
            std::fprintf(stderr, "gdmft: numerical failure: %s\n", e.what());
            return 4;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "gdmft: error: %s\n", e.what());
            return 1;
        }
    }
    return bad_input("no subcommand");
}
