#pragma once
// Helpers for the sweep tests: a command started in its own process group (so that a signal reaches
// every process it starts, mpirun's ranks included), the rows finished in a sweep's shards, and the
// check that every file a sweep left behind parses whole.
#include "io/text_csv.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace gdmft_test {

// Starts `sh -c cmd` in a new session (process group); returns its pid (= the group id).
inline pid_t spawn_group(const std::string& cmd) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

// Rows in DIR/shards/part-*.csv now (files being replaced are read whole or skipped).
inline std::size_t shard_rows(const std::filesystem::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "shards", ec)) return 0;
    for (const auto& e : std::filesystem::directory_iterator(dir / "shards", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("part-", 0) != 0) continue;
        try {
            n += gdmft::io::read_text_csv(e.path().string()).rows.size();
        } catch (const std::exception&) {
        }
    }
    return n;
}

// Waits until the sweep in `dir` has at least `rows` finished rows, then SIGKILLs the whole process
// group. Returns false if the command ended (or `timeout_s` passed) before that.
inline bool kill_after_rows(pid_t group, const std::filesystem::path& dir, std::size_t rows, double timeout_s) {
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < timeout_s) {
        if (::waitpid(group, &status, WNOHANG) == group) return false;
        if (shard_rows(dir) >= rows) {
            ::kill(-group, SIGKILL);
            ::waitpid(group, &status, 0);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-group, SIGKILL);
    ::waitpid(group, &status, 0);
    return false;
}

// Every non-hidden file under `dir`: .csv files parse as whole tables, .json files as JSON. Returns the
// first one that does not (empty: all whole).
inline std::string first_broken_file(const std::filesystem::path& dir) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string name = e.path().filename().string();
        if (name[0] == '.') continue;  // a killed write's temporary (removed by --resume)
        try {
            if (e.path().extension() == ".csv") {
                gdmft::io::read_text_csv(e.path().string());
            } else if (e.path().extension() == ".json") {
                std::ifstream in(e.path());
                (void)nlohmann::json::parse(in);
            }
        } catch (const std::exception& ex) {
            return e.path().string() + ": " + ex.what();
        }
    }
    return "";
}

}  // namespace gdmft_test
