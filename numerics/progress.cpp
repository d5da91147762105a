#include "numerics/progress.hpp"

#include <cstdio>

namespace gdmft {

void StderrObserver::progress(const ProgressReport& r) const {
    const std::string extra = r.extra.empty() ? "" : "  " + r.extra;
    if (r.finished)
        std::fprintf(stderr, "%s: done in %.1f s%s\n", r.label.c_str(), r.elapsed, extra.c_str());
    else
        std::fprintf(stderr, "%s: %5.1f%%  elapsed %.1f s  ETA %.1f s%s\n", r.label.c_str(),
                     r.total > 0 ? 100 * r.done / r.total : 0.0, r.elapsed, r.eta, extra.c_str());
}

void StderrObserver::log(const std::string& line) const { std::fprintf(stderr, "%s\n", line.c_str()); }

Progress::Progress(const Observer* observer, std::string label, double total, double interval_seconds)
    : observer_(observer), label_(std::move(label)), total_(total), interval_(interval_seconds),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

double Progress::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(double done, const std::string& extra) {
    if (observer_ == nullptr) return;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_).count() < interval_) return;
    last_ = now;
    printed_ = true;
    ProgressReport r;
    r.label = label_;
    r.done = done;
    r.total = total_;
    r.elapsed = elapsed();
    const double frac = total_ > 0 ? done / total_ : 0;
    r.eta = frac > 0 ? r.elapsed * (1 - frac) / frac : 0;
    r.extra = extra;
    observer_->progress(r);
}

void Progress::finish(const std::string& extra) {
    if (observer_ == nullptr || !printed_) return;
    ProgressReport r;
    r.label = label_;
    r.done = r.total = total_;
    r.elapsed = elapsed();
    r.extra = extra;
    r.finished = true;
    observer_->progress(r);
}

void log_line(const Observer* observer, const std::string& s) {
    if (observer != nullptr) observer->log(s);
}

}  // namespace gdmft
