#include "io/sweep.hpp"

#include "io/mpi_queue.hpp"
#include "io/sweep_store.hpp"
#include "io/text_csv.hpp"
#include "numerics/errors.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <mutex>

namespace gdmft::io {

SweepShard parse_shard(const std::string& text, const std::string& flag) {
    const auto slash = text.find('/');
    SweepShard s;
    try {
        if (slash == std::string::npos) throw std::invalid_argument("no slash");
        std::size_t u1 = 0, u2 = 0;
        const std::string a = text.substr(0, slash), b = text.substr(slash + 1);
        s.index = std::stoi(a, &u1);
        s.count = std::stoi(b, &u2);
        if (u1 != a.size() || u2 != b.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
        throw BadInput(flag, "must have the form K/M (shard K of M, 0 <= K < M), got '" + text + "'");
    }
    if (s.count < 1 || s.index < 0 || s.index >= s.count)
        throw BadInput(flag, "needs 0 <= K < M in K/M, got '" + text + "'");
    return s;
}

std::uint64_t point_seed(std::uint64_t base_seed, std::uint64_t index) {
    auto mix = [](std::uint64_t z) {
        z += 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    };
    return mix(mix(base_seed) ^ index);
}

namespace {

int threads_per_process(const SweepOptions& o, const Ranks& r) {
    if (o.threads > 0) return o.threads;
    if (std::getenv("OMP_NUM_THREADS") != nullptr) return omp_get_max_threads();
    return std::max(1, omp_get_max_threads() / std::max(1, r.local_size));
}

}  // namespace

SweepSummary run_sweep(std::uint64_t n_points, const PointFunction& fn, const SweepOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    const Ranks ranks = mpi_start();

    // Rank 0 prepares the directory; a bad input there ends every rank.
    std::string error;
    nlohmann::json meta = o.meta;
    if (ranks.root()) {
        try {
            if (o.columns.empty()) throw BadInput("columns", "a sweep needs at least one column");
            const auto stored = open_sweep_dir(o.dir, o.manifest, o.resume, o.shard.active(), o.resume ? "resume" : "shard");
            // The table records the command that started the sweep: resumed and sharded runs write the
            // same table as one uninterrupted run.
            if (meta.contains("command_line") && stored.contains("command_line")) meta["command_line"] = stored["command_line"];
        } catch (const BadInput& e) {
            error = e.name + "\n" + e.rule;
        }
    }
    mpi_broadcast(ranks, error);
    if (!error.empty()) {
        if (!ranks.root()) mpi_quiet_exit(2);
        const auto nl = error.find('\n');
        throw BadInput(error.substr(0, nl), error.substr(nl + 1));
    }

    // The points still to compute, in index order (the same list on every rank).
    SweepSummary s;
    s.root = ranks.root();
    s.total = n_points;
    s.ranks = ranks.size;
    std::vector<std::uint64_t> pending;
    if (ranks.root()) {
        const Finished f = load_finished(o.dir, o.columns, n_points);
        s.resumed = f.rows.size();
        for (std::uint64_t i = 0; i < n_points; ++i)
            if (!f.rows.count(i) && static_cast<int>(i % static_cast<std::uint64_t>(o.shard.count)) == o.shard.index)
                pending.push_back(i);
    }
    mpi_broadcast(ranks, pending);

    const int threads = std::max(1, std::min<int>(threads_per_process(o, ranks), static_cast<int>(std::max<std::size_t>(pending.size(), 1))));
    s.threads = threads;
    const std::string tag = "s" + std::to_string(o.shard.index) + "of" + std::to_string(o.shard.count) + "-r" +
                            std::to_string(ranks.rank);
    ShardWriter writer(new_shard_path(o.dir, tag), {{"sweep", o.table}, {"rank", ranks.rank}}, o.columns, o.flush_interval);
    Progress progress(ranks.root() ? o.observer : nullptr, o.table + " points dispatched", static_cast<double>(pending.size()));

    {
        WorkCounter counter(ranks);
        std::mutex store;
        std::exception_ptr failure;
        bool stop = false;
        // GDMFT_SWEEP_DEBUG set: each rank reports its points and its time spent waiting for the queue.
        const bool debug = std::getenv("GDMFT_SWEEP_DEBUG") != nullptr;
        double queue_wait = 0;
        long fetched = 0;
#pragma omp parallel num_threads(threads)
        {
            omp_set_num_threads(1);  // OpenMP regions inside a point run on this thread only
            for (;;) {
                {
                    std::lock_guard<std::mutex> lock(store);
                    if (stop) break;
                }
                const auto tq = std::chrono::steady_clock::now();
                const std::uint64_t k = counter.next();
                if (debug) {
                    std::lock_guard<std::mutex> lock(store);
                    queue_wait += std::chrono::duration<double>(std::chrono::steady_clock::now() - tq).count();
                    ++fetched;
                }
                if (k >= pending.size()) break;
                const std::uint64_t idx = pending[k];
                try {
                    auto cells = fn(idx, point_seed(o.base_seed, idx));
                    if (cells.size() != o.columns.size())
                        throw std::logic_error("run_sweep: the point function returned " + std::to_string(cells.size()) +
                                               " cells for " + std::to_string(o.columns.size()) + " columns");
                    std::lock_guard<std::mutex> lock(store);
                    writer.add(idx, std::move(cells));
                    writer.flush_if_due();
                    progress.update(static_cast<double>(std::min<std::uint64_t>(k + 1, pending.size())));
                } catch (...) {
                    std::lock_guard<std::mutex> lock(store);
                    if (!failure) failure = std::current_exception();
                    stop = true;
                }
            }
        }
        if (failure) {
            try {
                writer.flush();  // keep what was finished
            } catch (...) {
            }
            if (ranks.size > 1) {
                try {
                    std::rethrow_exception(failure);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "gdmft: rank %d: %s\n", ranks.rank, e.what());
                }
                mpi_abort(ranks, 1);
            }
            std::rethrow_exception(failure);
        }
        writer.flush();
        if (debug)
            std::fprintf(stderr, "rank %d: %ld fetches, %.3f s waiting for the queue, %zu points\n", ranks.rank, fetched,
                         queue_wait, writer.size());
        mpi_barrier(ranks);  // every shard is on disk
    }
    progress.finish();

    if (ranks.root()) {
        Finished f = load_finished(o.dir, o.columns, n_points);
        s.computed = f.rows.size() - std::min<std::uint64_t>(s.resumed, f.rows.size());
        s.missing = n_points - f.rows.size();
        for (auto& [idx, cells] : f.rows) {
            s.indices.push_back(idx);
            s.rows.push_back(std::move(cells));
        }
        if (s.missing == 0) {
            s.table_path = (std::filesystem::path(o.dir) / (o.table + ".csv")).string();
            write_text_csv(s.table_path, meta, o.columns, s.rows);
            s.complete = true;
        }
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
}

}  // namespace gdmft::io
