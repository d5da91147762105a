#include "io/mpi_queue.hpp"

#include <cstdlib>
#include <stdexcept>

#ifdef GDMFT_HAVE_MPI
#include <mpi.h>
#endif

namespace gdmft::io {

bool mpi_built() {
#ifdef GDMFT_HAVE_MPI
    return true;
#else
    return false;
#endif
}

bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(v) != nullptr) return true;
    return false;
}

#ifdef GDMFT_HAVE_MPI
namespace {
bool started = false;
void finalize_at_exit() {
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
}
}  // namespace

Ranks mpi_start() {
    static Ranks r = [] {
        Ranks x;
        if (!launched_by_mpi()) return x;
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
        if (provided < MPI_THREAD_SERIALIZED)
            throw std::runtime_error("MPI does not provide MPI_THREAD_SERIALIZED");
        started = true;
        std::atexit(finalize_at_exit);
        MPI_Comm_rank(MPI_COMM_WORLD, &x.rank);
        MPI_Comm_size(MPI_COMM_WORLD, &x.size);
        MPI_Comm local;
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, x.rank, MPI_INFO_NULL, &local);
        MPI_Comm_size(local, &x.local_size);
        MPI_Comm_free(&local);
        return x;
    }();
    return r;
}

void mpi_barrier(const Ranks& r) {
    if (r.size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

void mpi_broadcast(const Ranks& r, std::string& s) {
    if (r.size == 1) return;
    unsigned long long n = s.size();
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    s.resize(n);
    if (n > 0) MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
}

void mpi_broadcast(const Ranks& r, std::vector<std::uint64_t>& v) {
    if (r.size == 1) return;
    unsigned long long n = v.size();
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    v.resize(n);
    if (n > 0) MPI_Bcast(v.data(), static_cast<int>(n), MPI_UINT64_T, 0, MPI_COMM_WORLD);
}

void mpi_abort(const Ranks& r, int code) {
    if (started && r.size > 1) MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);
}

void mpi_quiet_exit(int code) {
    if (started) finalize_at_exit();
    std::_Exit(code);
}

struct WorkCounter::Impl {
    Ranks r;
    MPI_Win win = MPI_WIN_NULL;
    std::uint64_t* base = nullptr;
    std::uint64_t local = 0;  // single process
};

WorkCounter::WorkCounter(const Ranks& r) : impl_(std::make_unique<Impl>()) {
    impl_->r = r;
    if (r.size == 1) return;
    const MPI_Aint bytes = r.root() ? static_cast<MPI_Aint>(sizeof(std::uint64_t)) : 0;
    MPI_Win_allocate(bytes, sizeof(std::uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &impl_->base, &impl_->win);
    if (r.root()) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, impl_->win);
        *impl_->base = 0;
        MPI_Win_unlock(0, impl_->win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

WorkCounter::~WorkCounter() {
    if (impl_->win != MPI_WIN_NULL) MPI_Win_free(&impl_->win);
}

std::uint64_t WorkCounter::next() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (impl_->r.size == 1) return impl_->local++;
    const std::uint64_t one = 1;
    std::uint64_t got = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, impl_->win);
    MPI_Fetch_and_op(&one, &got, MPI_UINT64_T, 0, 0, MPI_SUM, impl_->win);
    MPI_Win_unlock(0, impl_->win);
    return got;
}

#else  // built without MPI

Ranks mpi_start() { return {}; }
void mpi_barrier(const Ranks&) {}
void mpi_broadcast(const Ranks&, std::string&) {}
void mpi_broadcast(const Ranks&, std::vector<std::uint64_t>&) {}
void mpi_abort(const Ranks&, int code) { std::exit(code); }
void mpi_quiet_exit(int code) { std::_Exit(code); }

struct WorkCounter::Impl {
    std::uint64_t local = 0;
};
WorkCounter::WorkCounter(const Ranks&) : impl_(std::make_unique<Impl>()) {}
WorkCounter::~WorkCounter() = default;
std::uint64_t WorkCounter::next() {
    std::lock_guard<std::mutex> lock(mutex_);
    return impl_->local++;
}

#endif

}  // namespace gdmft::io
