// `mixq simulate --soc`: the SoC simulated with a placement, per-layer engines and per-engine
// busy, memory and contention stall cycles.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli/run.hpp"

using mixq::test::run_cli;
using mixq::test::write_temp;

TEST_CASE("simulate --soc --placement FILE shows the engines per layer and contention", "[cli][soc][sim]") {
  // conv2 split across the two cores on a 4-bit-per-cycle bus: they contend.
  const auto place = write_temp("sim_place.yaml", "default: digital\nlayers:\n  conv2: {split: {digital: 16, analog: 16}}\n");
  const auto r = run_cli("simulate --soc diana --set bus.bits_per_cycle=4 --workload fmnist_cnn --bits w2a7 "
                         "--placement " + place.string() + " --json");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["soc"] == "diana");
  CHECK(doc["schedule"] == "sequential");
  bool split_seen = false;
  for (const auto& l : doc["layers"]) {
    if (l["name"] == "conv2") {
      split_seen = true;
      CHECK(l["engines"] == nlohmann::json({"digital", "analog"}));
    }
  }
  CHECK(split_seen);
  double contention = 0;
  for (const auto& e : doc["engines"]) contention += e["contention_stall_cycles"].get<double>();
  CHECK(contention > 0);
  CHECK(doc["total"]["latency_cycles"].get<double>() >
        doc["total"]["contention_free_latency_cycles"].get<double>());

  const auto text = run_cli("simulate --soc diana --workload fmnist_cnn --bits w2a7 --first-last w8a8 "
                            "--schedule pipelined --inputs 4");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("digital") && Catch::Contains("contention") &&
                           Catch::Contains("period") && Catch::Contains("4 inputs"));
}

TEST_CASE("simulate: --arch or --soc is needed, not both, and bad placements exit 2", "[cli][soc][sim][errors]") {
  CHECK(run_cli("simulate --workload fmnist_cnn").exit_code == 2);
  CHECK(run_cli("simulate --arch eyeriss --soc diana --workload fmnist_cnn").exit_code != 0);
  // The analog core cannot run the 8-bit first layer.
  const auto place = write_temp("sim_bad.yaml", "default: analog\n");
  const auto r = run_cli("simulate --soc diana --workload fmnist_cnn --bits w8a8 --placement " + place.string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("analog"));
}
