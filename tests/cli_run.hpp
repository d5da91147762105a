#pragma once
// Running the gdmft binary from tests: one helper shared by the CLI tests. The binary's path comes
// from GDMFT_BINARY (set by CMakeLists.txt); stdout and stderr go to files in a per-process scratch
// directory and are read back.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gdmft_test {

struct Run {
    int code = -1;
    std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A scratch directory private to this test process. It is keyed by the process id, which the system
// reuses: a directory left by an earlier process with the same id (killed before it could clean up) is
// emptied first, so outputs of that run never count as this run's (phase refuses an --out that already
// holds a sweep). Removed when the process exits normally.
inline std::filesystem::path scratch() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("gdmft_test_" + std::to_string(::getpid()));
        std::filesystem::remove_all(d);
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(
                std::filesystem::temp_directory_path() / ("gdmft_test_" + std::to_string(::getpid())), ec);
        });
        return d;
    }();
    return dir;
}

// Runs `env GDMFT_BINARY args` through the shell; returns the exit code, stdout and stderr.
inline Run run_gdmft(const std::string& args, const std::string& env = "") {
    const auto o = scratch() / "stdout", e = scratch() / "stderr";
    const std::string cmd = env + " " + GDMFT_BINARY + " " + args + " >" + o.string() + " 2>" + e.string();
    const int status = std::system(cmd.c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(o);
    r.err = slurp(e);
    return r;
}

// The bad-input contract of INTERFACE.md: exit 2, one line on stderr naming the flag, nothing on stdout.
inline void expect_bad_input(const std::string& args, const std::string& flag) {
    CAPTURE(args);
    const Run r = run_gdmft(args);
    CHECK(r.code == 2);
    CHECK(r.err.find(flag) != std::string::npos);
    CHECK(r.err.find("bad input") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.out.empty());
}

}  // namespace gdmft_test
