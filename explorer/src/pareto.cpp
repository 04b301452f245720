#include "mixq/explorer/pareto.hpp"

#include <pagmo/utils/hypervolume.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "mixq/common/error.hpp"

namespace mixq::explorer {
namespace {

// a dominates b: no worse everywhere, better somewhere (minimization).
bool dominates(const Vector& a, const Vector& b) noexcept {
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

}  // namespace

std::vector<std::size_t> non_dominated(const std::vector<Vector>& points) {
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  // Lexicographic order: a point can only be dominated by (or equal to) one before it.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  std::vector<std::size_t> front;
  for (const std::size_t i : order) {
    bool keep = true;
    for (const std::size_t f : front) {
      if (points[f] == points[i] || dominates(points[f], points[i])) {
        keep = false;
        break;
      }
    }
    if (keep) front.push_back(i);
  }
  std::sort(front.begin(), front.end());
  return front;
}

Vector default_reference(const std::vector<Vector>& points) {
  if (points.empty()) return {};
  Vector lo = points.front();
  Vector hi = points.front();
  for (const auto& p : points) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      lo[i] = std::min(lo[i], p[i]);
      hi[i] = std::max(hi[i], p[i]);
    }
  }
  Vector ref(hi.size());
  for (std::size_t i = 0; i < hi.size(); ++i) {
    const double range = hi[i] - lo[i];
    ref[i] = hi[i] + (range > 0 ? 0.1 * range : std::max(1.0, std::abs(hi[i]) * 0.1));
  }
  return ref;
}

double hypervolume(const std::vector<Vector>& points, const Vector& reference) {
  std::vector<Vector> inside;
  for (const auto& p : points) {
    if (p.size() != reference.size()) throw Error("hypervolume: dimension mismatch");
    bool strictly = true;
    for (std::size_t i = 0; i < p.size(); ++i) strictly = strictly && p[i] < reference[i];
    if (strictly) inside.push_back(p);
  }
  if (inside.empty()) return 0;
  if (reference.size() == 1) {
    double best = inside.front()[0];
    for (const auto& p : inside) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  const pagmo::hypervolume hv(inside, true);
  return hv.compute(reference);
}

std::optional<std::size_t> knee_point(const std::vector<Vector>& front) {
  if (front.empty()) return std::nullopt;
  Vector lo = front.front();
  Vector hi = front.front();
  for (const auto& p : front) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      lo[i] = std::min(lo[i], p[i]);
      hi[i] = std::max(hi[i], p[i]);
    }
  }
  std::size_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < front.size(); ++k) {
    double d = 0;
    for (std::size_t i = 0; i < lo.size(); ++i) {
      const double range = hi[i] - lo[i];
      const double x = range > 0 ? (front[k][i] - lo[i]) / range : 0;
      d += x * x;
    }
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

}  // namespace mixq::explorer
