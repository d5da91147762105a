#pragma once
// Stationary Gaussian paths with a given lag covariance, by circulant embedding (THEORY.md 2.4-2.6).
//
// A covariance c(k), k = 0..n-1 (zero beyond the window), is embedded in a circle of m >= 2(n-1)
// samples: c_circ(k) = c(min(k, m-k)). Its eigenvalues lambda_j (the DFT of c_circ) are real; when they
// are all >= 0, the complex path Y = IDFT( sqrt(lambda/m) xi ), xi_j independent complex standard
// normals (unit-variance real and imaginary parts), gives two independent real paths Re Y, Im Y of
// length m with exactly the covariance c (and periodic with period m).
//
// A covariance that has not decayed inside the window has negative eigenvalues. They are clipped to
// zero, which inflates the sampled variance; the clipped weight sum|lambda_-| / sum lambda_+ is
// reported, never hidden: the caller should enlarge the window when it is significant.
//
// Static (plateau) parts are not drawn here: subtract the plateau before setting the covariance and
// add one N(0, q) value per path (THEORY.md 2.5).
//
// Common random numbers: the white noise xi is drawn from keyed streams (WhiteNoise), so the noise of
// path p in random set s is the same whatever thread draws it and however often it is drawn.
#include <fftw3.h>

#include <cstdint>
#include <vector>

namespace gdmft {

// xoshiro256++ (Blackman and Vigna): a small, fast 64-bit generator; seeded by splitmix64 from a key.
class Xoshiro256 {
public:
    using result_type = std::uint64_t;
    explicit Xoshiro256(std::uint64_t key);
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type(0); }
    result_type operator()();

private:
    std::uint64_t s_[4];
};

// A 64-bit mix of (seed, a, b) for keyed streams (splitmix64 finaliser applied in sequence).
std::uint64_t stream_key(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0);

// Standard normals of one keyed stream (ziggurat, Boost.Random). The same key gives the same numbers.
struct WhiteNoise {
    static void fill(std::uint64_t key, double* out, std::size_t count);
    static void fill(std::uint64_t key, float* out, std::size_t count);  // rounded to float
};

class CirculantSampler {
public:
    // Per-thread scratch buffers for draw_pair (m complex values in double and in single precision,
    // FFTW-aligned).
    class Workspace {
    public:
        explicit Workspace(std::size_t m);
        ~Workspace();
        Workspace(const Workspace&) = delete;
        Workspace& operator=(const Workspace&) = delete;
        fftw_complex* data() { return buf_; }
        fftwf_complex* data_f() { return fbuf_; }

    private:
        fftw_complex* buf_;
        fftwf_complex* fbuf_;
    };

    // Paths of m samples (one circle). The FFTW plan is made once, here.
    explicit CirculantSampler(std::size_t m);
    ~CirculantSampler();
    CirculantSampler(const CirculantSampler&) = delete;
    CirculantSampler& operator=(const CirculantSampler&) = delete;

    std::size_t length() const { return m_; }

    // Sets the lag covariance c[0..n-1] (plateau already removed; zero beyond n-1). Needs
    // 1 <= n <= m/2 + 1. Negative eigenvalues are clipped; returns the clipped weight fraction.
    double set_covariance(const std::vector<double>& c);
    double clipped_weight() const { return clipped_; }
    // Variance of the paths actually drawn: (1/m) sum max(lambda, 0) (= c[0] when nothing is clipped).
    double sampled_variance() const { return sampled_var_; }
    // Circulant eigenvalues before clipping.
    const std::vector<double>& eigenvalues() const { return lambda_; }

    // Two independent real paths a, b (length m each) from 2m standard normals xi (re, im interleaved).
    // Thread-safe for distinct workspaces. T = float or double: float noise (the stored common random
    // numbers) is transformed in single precision, about twice as fast; its rounding (relative ~1e-7 per
    // sample) is far below the sampling error of any average over the paths. Double noise is
    // transformed in double precision.
    template <class T>
    void draw_pair(const T* xi, double* a, double* b, Workspace& w) const;
    // The single-precision draw left in place: y (m values, FFTW-aligned, e.g. fftwf_alloc_complex)
    // receives path a in the real parts and path b in the imaginary parts. draw_pair<float> is this
    // followed by a copy to double.
    void draw_pair_into(const float* xi, fftwf_complex* y) const;
    // Convenience: the same, with the noise of one keyed stream.
    void draw_pair(std::uint64_t key, double* a, double* b, Workspace& w) const;

private:
    std::size_t m_;
    std::vector<double> lambda_, amp_;  // eigenvalues; sqrt(max(lambda,0)/m)
    std::vector<float> amp_f_;          // amp_ rounded to float (single-precision draws)
    double clipped_ = 0, sampled_var_ = 0;
    fftw_plan plan_;        // complex backward, on a workspace-aligned buffer (used via fftw_execute_dft)
    fftw_complex* plan_buf_;
    fftwf_plan plan_f_;     // the same in single precision
    fftwf_complex* plan_buf_f_;
    double* eig_in_;        // r2c plan for the eigenvalues
    fftw_complex* eig_out_;
    fftw_plan eig_plan_;
};

template <>
void CirculantSampler::draw_pair<float>(const float* xi, double* a, double* b, Workspace& w) const;
extern template void CirculantSampler::draw_pair<double>(const double*, double*, double*, Workspace&) const;

}  // namespace gdmft
