#include "app/output.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace gdmft::app {

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

namespace {
std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
}
}  // namespace

bool run_plot(const std::string& who, const std::string& script, const std::vector<std::string>& args) {
    const std::string path = std::string(GDMFT_SOURCE_DIR) + "/scripts/" + script;
    std::string cmd = "/usr/bin/python3 " + shell_quote(path);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " 1>&2";
    if (std::system(cmd.c_str()) == 0) return true;
    std::fprintf(stderr, "%s: warning: the plot failed (%s)\n", who.c_str(), path.c_str());
    return false;
}

}  // namespace gdmft::app
