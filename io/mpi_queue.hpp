#pragma once
// MPI for the sweeps, and only for them: initialised on first use when the program was started by an
// MPI launcher (mpirun/mpiexec/srun set OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK), never otherwise,
// so ordinary commands pay nothing. Built without MPI (GDMFT_MPI=OFF) every process is rank 0 of 1.
// The header has no MPI types: callers need no MPI headers.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gdmft::io {

struct Ranks {
    int rank = 0, size = 1;
    int local_size = 1;  // ranks on this node (shared-memory domain)
    bool root() const { return rank == 0; }
};

bool mpi_built();
// True when an MPI launcher's environment variables are set.
bool launched_by_mpi();
// Initialises MPI once (MPI_THREAD_SERIALIZED; finalised at exit) when built with MPI and launched by
// an MPI launcher; returns this process's place. Safe to call again.
Ranks mpi_start();

// Collectives over the world (no-ops for a single process).
void mpi_barrier(const Ranks& r);
void mpi_broadcast(const Ranks& r, std::string& s);           // from rank 0
void mpi_broadcast(const Ranks& r, std::vector<std::uint64_t>& v);
// Ends every rank with `code` (MPI_Abort under MPI, else std::exit).
[[noreturn]] void mpi_abort(const Ranks& r, int code);
// Finalises MPI now (if started) and exits with `code` without printing: for ranks > 0 after rank 0
// reported a bad input.
[[noreturn]] void mpi_quiet_exit(int code);

// The dynamic work queue: next() hands out 0, 1, 2, ... exactly once across all ranks and threads. Under
// MPI it is an MPI-3 RMA fetch-and-add on a counter held by rank 0 (all ranks, rank 0 included,
// compute); in one process an atomic counter. Thread-safe (calls are serialised inside). Constructing
// and destroying are collective.
class WorkCounter {
public:
    explicit WorkCounter(const Ranks& r);
    ~WorkCounter();
    WorkCounter(const WorkCounter&) = delete;
    WorkCounter& operator=(const WorkCounter&) = delete;
    std::uint64_t next();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::mutex mutex_;
};

}  // namespace gdmft::io
