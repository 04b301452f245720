// The sweep files shipped under configs/sweeps/ (the quickstart runs two of them) stay valid
// as the format evolves: each parses and validates completely, strategy parameters included.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "mixq/explorer/strategy.hpp"
#include "mixq/explorer/sweep.hpp"

using namespace mixq::explorer;

TEST_CASE("every committed sweep file parses", "[explorer][sweep]") {
  register_builtin_strategies();
  const std::filesystem::path dir = std::filesystem::path(MIXQ_CONFIG_DIR_FOR_TESTS) / "sweeps";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 2);
  for (const auto& f : files) {
    INFO(f.string());
    SweepSpec s;
    REQUIRE_NOTHROW(s = load_sweep(f));
    CHECK(!s.workloads.empty());
    CHECK(!s.objectives.empty());
    // A comparison (`strategies:`) holds one complete single-strategy sweep per entry.
    std::vector<const SweepSpec*> runs;
    for (const auto& run : s.comparison) runs.push_back(&run.spec);
    if (runs.empty()) runs.push_back(&s);
    for (const SweepSpec* r : runs) {
      INFO(r->strategy.name);
      CHECK(r->strategy.budget > 0);
      CHECK(find_strategy(r->strategy.name) != nullptr);
    }
  }
}
