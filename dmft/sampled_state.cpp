#include "dmft/sampled_state.hpp"

#include <algorithm>

namespace gdmft {

std::size_t tangent_paths(std::size_t forward_paths) {
    return std::max<std::size_t>(256, forward_paths / 4);
}

TangentResult set_tangent_lambda(const ModelParams& p, SingleSiteSampler& smp, const SampledSet& set,
                                 const Observer* observer, const TangentResult* hint) {
    TangentOptions to;
    to.observer = observer;
    to.hint = hint;
    to.paths = tangent_paths(set.paths);
    return tangent_lambda_max(p, smp, set.forward, to);
}

}  // namespace gdmft
