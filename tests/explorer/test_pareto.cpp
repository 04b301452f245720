// Pareto set, hypervolume and knee on cases whose answers are worked out by hand.
#include <catch2/catch.hpp>

#include "mixq/explorer/pareto.hpp"

using namespace mixq::explorer;

TEST_CASE("non-dominated set of a 2-D cloud, duplicates kept once") {
  const std::vector<Vector> pts{{1, 5}, {2, 3}, {3, 4}, {4, 1}, {2, 3}, {5, 5}, {1, 6}};
  // {3,4} is dominated by {2,3}; {5,5} by everything; {1,6} by {1,5}; the second {2,3} is a copy.
  CHECK(non_dominated(pts) == std::vector<std::size_t>{0, 1, 3});
}

TEST_CASE("non-dominated set in 3-D keeps trade-offs on any axis") {
  const std::vector<Vector> pts{{1, 1, 9}, {9, 1, 1}, {1, 9, 1}, {2, 2, 9}, {5, 5, 5}};
  CHECK(non_dominated(pts) == std::vector<std::size_t>{0, 1, 2, 4});
  CHECK(non_dominated({}).empty());
}

TEST_CASE("hypervolume: staircase area in 2-D, box volume in 3-D") {
  // Points (1,3), (2,2), (3,1) against (4,4): 3 + 2 + 1 unit columns = 6.
  CHECK(hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}) == Approx(6));
  // A point outside the reference box adds nothing.
  CHECK(hypervolume({{1, 3}, {2, 2}, {3, 1}, {5, 0}}, {4, 4}) == Approx(6));
  CHECK(hypervolume({{0, 0, 0}}, {2, 3, 4}) == Approx(24));
  CHECK(hypervolume({{0, 0, 0}, {1, 1, 1}}, {2, 2, 2}) == Approx(8));
  CHECK(hypervolume({}, {1, 1}) == 0);
  CHECK(hypervolume({{0.5}}, {2}) == Approx(1.5));
}

TEST_CASE("default reference lies 10 % of the range beyond the worst point") {
  const auto ref = default_reference({{0, 10}, {10, 0}});
  CHECK(ref == Vector{11, 11});
  CHECK(default_reference({{3, 3}}) == Vector{4, 4});
}

TEST_CASE("knee is the point nearest the normalized ideal") {
  // A convex front: (0,1), (0.2,0.2), (1,0): the middle one is the knee.
  CHECK(knee_point({{0, 1}, {0.2, 0.2}, {1, 0}}) == 1U);
  CHECK(knee_point({{0, 100}, {30, 20}, {100, 0}}) == 1U);
  CHECK_FALSE(knee_point({}).has_value());
}
