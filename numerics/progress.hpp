#pragma once
// Progress and log lines of long runs go to an Observer that the caller owns and passes in the options
// of each solver (`const Observer* observer`; nullptr = silent). The library never prints by itself:
// the CLI passes a StderrObserver (none with --quiet); an MPI rank or a Python module passes its own.
#include <chrono>
#include <string>

namespace gdmft {

// One progress report: `done` of `total` units after `elapsed` seconds (eta: seconds left, estimated
// from the rate so far; 0 when unknown). `extra` is a short note such as a residual. `finished` marks
// the last report of a run.
struct ProgressReport {
    std::string label;
    double done = 0, total = 0, elapsed = 0, eta = 0;
    std::string extra;
    bool finished = false;
};

class Observer {
public:
    virtual ~Observer() = default;
    virtual void progress(const ProgressReport& r) const = 0;
    virtual void log(const std::string& line) const = 0;
};

// Writes reports and log lines to stderr, one line each.
class StderrObserver final : public Observer {
public:
    void progress(const ProgressReport& r) const override;
    void log(const std::string& line) const override;
};

// A progress meter for one run: passes at most one report every `interval` seconds to the observer,
// with elapsed time and ETA. Silent when the observer is null.
class Progress {
public:
    Progress(const Observer* observer, std::string label, double total, double interval_seconds = 2.0);
    // Report that `done` of `total` units are complete; `extra` is appended (e.g. a residual).
    void update(double done, const std::string& extra = "");
    // A new estimate of the total (for runs whose length is learnt as they go).
    void set_total(double total) { total_ = total; }
    // The closing report (only if an update was reported before: short runs stay quiet).
    void finish(const std::string& extra = "");
    double elapsed() const;

private:
    const Observer* observer_;
    std::string label_;
    double total_, interval_;
    std::chrono::steady_clock::time_point start_, last_;
    bool printed_ = false;
};

// One log line to the observer (nothing when it is null).
void log_line(const Observer* observer, const std::string& s);

}  // namespace gdmft
