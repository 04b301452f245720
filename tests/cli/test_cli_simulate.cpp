// mixq simulate: the JSON shape shared with `mixq eval` (plus analytic_cycles), the trace
// file, and errors.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "cli/run.hpp"

using mixq::test::run_cli;

TEST_CASE("simulate --json has eval's layers and total plus analytic_cycles", "[cli][sim]") {
  const auto r = run_cli(
      "simulate --arch bitfusion --workload fmnist_cnn --bits w4a4 --first-last w8a8 --json");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  const auto eval = nlohmann::json::parse(
      run_cli("eval --arch bitfusion --workload fmnist_cnn --bits w4a4 --first-last w8a8 --json")
          .out);
  REQUIRE(doc["layers"].size() == eval["layers"].size());
  std::int64_t cycles = 0;
  for (std::size_t i = 0; i < doc["layers"].size(); ++i) {
    const auto& l = doc["layers"][i];
    // Every key eval has, the simulator has too (values are the simulator's).
    for (const auto& [key, value] : eval["layers"][i].items()) {
      INFO(key);
      CHECK(l.contains(key));
    }
    CHECK(l["name"] == eval["layers"][i]["name"]);
    // The analytic figure is eval's own.
    CHECK(l["analytic_cycles"] == eval["layers"][i]["cycles"]);
    CHECK(l["compute_cycles"] == eval["layers"][i]["compute_cycles"]);
    CHECK(l["cycles"].get<std::int64_t>() == l["compute_cycles"].get<std::int64_t>() +
                                                 l["memory_stall_cycles"].get<std::int64_t>() +
                                                 l["contention_stall_cycles"].get<std::int64_t>());
    cycles += l["cycles"].get<std::int64_t>();
  }
  for (const auto& [key, value] : eval["total"].items()) {
    INFO(key);
    CHECK(doc["total"].contains(key));
  }
  CHECK(doc["total"]["cycles"] == cycles);
  CHECK(doc["total"]["analytic_cycles"] == eval["total"]["cycles"]);
  CHECK(doc["total"]["latency_s"].get<double>() == Approx(static_cast<double>(cycles) / 500e6));
}

TEST_CASE("simulate --trace writes a trace-event timeline; the table names every layer",
          "[cli][sim]") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("mixq_trace_" + std::to_string(::getpid()) + ".json");
  const auto r =
      run_cli("simulate --arch systolic --workload jet_mlp --set dram.bits_per_cycle=32 --trace '" +
              path.string() + "'");
  REQUIRE(r.exit_code == 0);
  for (const char* name : {"fc1", "fc2", "fc3", "output", "total", "analytic"})
    CHECK_THAT(r.out, Catch::Contains(name));
  std::ifstream in(path);
  REQUIRE(in);
  const auto doc = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  std::size_t complete = 0;
  bool array_track = false;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "X") ++complete;
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "PE array")
      array_track = true;
  }
  CHECK(array_track);
  CHECK(complete > 10);
}

TEST_CASE("simulate: bad input exits 2 with a message", "[cli][sim][errors]") {
  auto r = run_cli("simulate --arch tpu_v1 --workload jet_mlp --bits w16a16");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot run on 'tpu_v1'"));
  r = run_cli("simulate --arch bitfusion --workload jet_mlp --set dram.bits_per_cycle=0");
  CHECK(r.exit_code == 2);
  r = run_cli("simulate --arch bitfusion --workload jet_mlp --kernel nosuch");
  CHECK(r.exit_code != 0);
}
