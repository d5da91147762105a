#include "numerics/circulant_sampler.hpp"

#include "numerics/fft.hpp"
#include "numerics/errors.hpp"

#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <stdexcept>

namespace gdmft {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

template <class T>
void fill_normals(std::uint64_t key, T* out, std::size_t count) {
    Xoshiro256 eng(key);
    boost::random::normal_distribution<double> normal;
    for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<T>(normal(eng));
}

}  // namespace

Xoshiro256::Xoshiro256(std::uint64_t key) {
    std::uint64_t x = key;
    for (auto& s : s_) {
        x = splitmix64(x);
        s = x;
    }
}

Xoshiro256::result_type Xoshiro256::operator()() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

std::uint64_t stream_key(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
    return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ (b * 0xd1342543de82ef95ULL));
}

void WhiteNoise::fill(std::uint64_t key, double* out, std::size_t count) { fill_normals(key, out, count); }
void WhiteNoise::fill(std::uint64_t key, float* out, std::size_t count) { fill_normals(key, out, count); }

CirculantSampler::Workspace::Workspace(std::size_t m) : buf_(fftw_alloc_complex(m)), fbuf_(fftwf_alloc_complex(m)) {
    if (!buf_ || !fbuf_) throw std::bad_alloc();
}
CirculantSampler::Workspace::~Workspace() {
    fftw_free(buf_);
    fftwf_free(fbuf_);
}

CirculantSampler::CirculantSampler(std::size_t m) : m_(m), lambda_(m, 0.0), amp_(m, 0.0), amp_f_(m, 0.0f) {
    if (m < 2) throw BadInput("m", "circle length must be >= 2 (CirculantSampler)");
    std::lock_guard lock(fft::planner_mutex());
    plan_buf_ = fftw_alloc_complex(m);
    eig_in_ = fftw_alloc_real(m);
    eig_out_ = fftw_alloc_complex(m / 2 + 1);
    // FFTW_ESTIMATE: deterministic plan choice, so results do not depend on timing.
    plan_ = fftw_plan_dft_1d(static_cast<int>(m), plan_buf_, plan_buf_, FFTW_BACKWARD, FFTW_ESTIMATE);
    plan_buf_f_ = fftwf_alloc_complex(m);
    plan_f_ = fftwf_plan_dft_1d(static_cast<int>(m), plan_buf_f_, plan_buf_f_, FFTW_BACKWARD, FFTW_ESTIMATE);
    eig_plan_ = fftw_plan_dft_r2c_1d(static_cast<int>(m), eig_in_, eig_out_, FFTW_ESTIMATE);
}

CirculantSampler::~CirculantSampler() {
    std::lock_guard lock(fft::planner_mutex());
    fftw_destroy_plan(plan_);
    fftwf_destroy_plan(plan_f_);
    fftw_destroy_plan(eig_plan_);
    fftw_free(plan_buf_);
    fftwf_free(plan_buf_f_);
    fftw_free(eig_in_);
    fftw_free(eig_out_);
}

double CirculantSampler::set_covariance(const std::vector<double>& c) {
    const std::size_t n = c.size();
    if (n < 1 || n > m_ / 2 + 1)
        throw BadInput("covariance", "length must be in [1, m/2 + 1] (CirculantSampler)");
    for (double v : c)
        if (!std::isfinite(v)) throw BadInput("covariance", "must be finite (CirculantSampler)");
    std::fill(eig_in_, eig_in_ + m_, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
        eig_in_[k] = c[k];
        if (k > 0) eig_in_[m_ - k] = c[k];
    }
    fftw_execute(eig_plan_);
    // The circulant is real and even, so its spectrum is real and lambda_j = lambda_{m-j}.
    double pos = 0, neg = 0;
    for (std::size_t j = 0; j < m_; ++j) {
        const std::size_t jj = j <= m_ / 2 ? j : m_ - j;
        const double l = eig_out_[jj][0];
        lambda_[j] = l;
        if (l >= 0) {
            pos += l;
            amp_[j] = std::sqrt(l / static_cast<double>(m_));
        } else {
            neg -= l;
            amp_[j] = 0;
        }
        amp_f_[j] = static_cast<float>(amp_[j]);
    }
    clipped_ = pos > 0 ? neg / pos : (neg > 0 ? 1.0 : 0.0);
    sampled_var_ = pos / static_cast<double>(m_);
    return clipped_;
}

void CirculantSampler::draw_pair_into(const float* xi, fftwf_complex* y) const {
    for (std::size_t j = 0; j < m_; ++j) {
        y[j][0] = amp_f_[j] * xi[2 * j];
        y[j][1] = amp_f_[j] * xi[2 * j + 1];
    }
    fftwf_execute_dft(plan_f_, y, y);
}

template <>
void CirculantSampler::draw_pair<float>(const float* xi, double* a, double* b, Workspace& w) const {
    fftwf_complex* y = w.data_f();
    draw_pair_into(xi, y);
    for (std::size_t t = 0; t < m_; ++t) {
        a[t] = y[t][0];
        b[t] = y[t][1];
    }
}

template <class T>
void CirculantSampler::draw_pair(const T* xi, double* a, double* b, Workspace& w) const {
    fftw_complex* y = w.data();
    for (std::size_t j = 0; j < m_; ++j) {
        y[j][0] = amp_[j] * static_cast<double>(xi[2 * j]);
        y[j][1] = amp_[j] * static_cast<double>(xi[2 * j + 1]);
    }
    fftw_execute_dft(plan_, y, y);
    for (std::size_t t = 0; t < m_; ++t) {
        a[t] = y[t][0];
        b[t] = y[t][1];
    }
}

void CirculantSampler::draw_pair(std::uint64_t key, double* a, double* b, Workspace& w) const {
    std::vector<double> xi(2 * m_);
    WhiteNoise::fill(key, xi.data(), xi.size());
    draw_pair(xi.data(), a, b, w);
}

template void CirculantSampler::draw_pair<double>(const double*, double*, double*, Workspace&) const;

}  // namespace gdmft
