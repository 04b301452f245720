// Pareto analysis in the minimized view (every objective minimized; see objective.hpp).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace mixq::explorer {

using Vector = std::vector<double>;

// Indices of the non-dominated points (any number of objectives), ascending. Of identical
// vectors only the first is kept. O(n log n + n·F) for a front of F points.
[[nodiscard]] std::vector<std::size_t> non_dominated(const std::vector<Vector>& points);

// Default reference point: per objective the worst value plus 10 % of the range (1 when the
// range is 0), so that every point contributes.
[[nodiscard]] Vector default_reference(const std::vector<Vector>& points);

// Hypervolume dominated by `points` and bounded by `reference` (pagmo2's exact algorithms:
// hv2d, hv3d, WFG). Points that do not strictly dominate the reference contribute nothing
// and are skipped. 0 for no points.
[[nodiscard]] double hypervolume(const std::vector<Vector>& points, const Vector& reference);

// The knee of a front: after scaling each objective to [0, 1] over the front (ideal 0, nadir
// 1), the point closest (Euclidean) to the ideal point, the balanced compromise of Das
// (1999) and Branke et al. (2004). nullopt for an empty front.
[[nodiscard]] std::optional<std::size_t> knee_point(const std::vector<Vector>& front);

}  // namespace mixq::explorer
