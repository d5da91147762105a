#pragma once
// Progress reports on stderr for long runs: at most one line every `interval` seconds, with elapsed
// time and ETA. Silent when quiet() is set (the CLI's --quiet).
#include <chrono>
#include <string>

namespace gdmft {

class Progress {
public:
    Progress(std::string label, double total, double interval_seconds = 2.0);
    // Report that `done` of `total` units are complete; `extra` is appended (e.g. a residual).
    void update(double done, const std::string& extra = "");
    void finish(const std::string& extra = "");
    double elapsed() const;

    static void set_quiet(bool q);
    static bool quiet();

private:
    std::string label_;
    double total_, interval_;
    std::chrono::steady_clock::time_point start_, last_;
    bool printed_ = false;
};

// One log line on stderr (suppressed by --quiet).
void log_line(const std::string& s);

}  // namespace gdmft
