#include "app/config_file.hpp"

#include "numerics/errors.hpp"

#include <toml++/toml.h>

#include <sstream>

namespace gdmft::app {

std::string find_config_path(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config") {
            if (i + 1 >= args.size()) throw BadInput("config", "needs a file name");
            return args[i + 1];
        }
        if (args[i].rfind("--config=", 0) == 0) return args[i].substr(9);
    }
    return "";
}

std::vector<std::string> config_tokens(const std::string& path, const CLI::App& cmd) {
    toml::table tbl;
    try {
        tbl = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << "cannot read '" << path << "': " << e.description();
        throw BadInput("config", os.str());
    }
    std::vector<std::string> tokens;
    for (const auto& [key, node] : tbl) {
        const std::string k(key.str());
        std::string flag = "--" + k;
        for (char& c : flag)
            if (c == '_') c = '-';
        if (k == "config" || cmd.get_option_no_throw(flag) == nullptr)
            throw BadInput(k, "unknown config key (not an option of '" + cmd.get_name() + "')");
        if (auto b = node.value_exact<bool>()) {
            tokens.push_back(flag + "=" + (*b ? "true" : "false"));
        } else if (auto i = node.value_exact<int64_t>()) {
            tokens.push_back(flag);
            tokens.push_back(std::to_string(*i));
        } else if (auto d = node.value_exact<double>()) {
            std::ostringstream os;
            os.precision(17);
            os << *d;
            tokens.push_back(flag);
            tokens.push_back(os.str());
        } else if (auto s = node.value_exact<std::string>()) {
            tokens.push_back(flag);
            tokens.push_back(*s);
        } else {
            throw BadInput(k, "config value must be a number, boolean or string");
        }
    }
    return tokens;
}

}  // namespace gdmft::app
