// `mixq eval --soc`: placements given or searched, per-layer engines, forced placements refused.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli/run.hpp"

using mixq::test::run_cli;
using mixq::test::write_temp;

TEST_CASE("eval --soc --placement auto shows each layer's engine and totals", "[cli][soc]") {
  const auto r = run_cli("eval --soc diana --workload fmnist_cnn --bits w2a7 --first-last w8a8 --json");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["soc"] == "diana");
  REQUIRE(doc["layers"].size() == 6);
  // First and last at 8 bits can only run on the digital core.
  CHECK(doc["layers"][0]["parts"][0]["engine"] == "digital");
  CHECK(doc["layers"][5]["parts"][0]["engine"] == "digital");
  CHECK(doc["layers"][1]["parts"].empty());  // pool1 moves data only
  std::int64_t cycles = 0;
  for (const auto& l : doc["layers"]) cycles += l["cycles"].get<std::int64_t>();
  CHECK(doc["total"]["cycles"] == cycles);
  CHECK(doc["total"]["energy_pj"].get<double>() > 0);
  CHECK(doc["total"]["engine_busy_cycles"].contains("analog"));

  const auto text = run_cli("eval --soc diana --workload fmnist_cnn --bits w2a7 --schedule pipelined");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("digital (") && Catch::Contains("inferences/s"));
}

TEST_CASE("eval --soc with a placement file, and a forced placement the engine cannot run", "[cli][soc]") {
  const auto ok = write_temp("place_ok.yaml", "default: digital\nlayers:\n  conv2: analog\n");
  auto r = run_cli("eval --soc diana --workload fmnist_cnn --bits w2a4 --placement '" + ok.string() + "' --json");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["layers"][2]["parts"][0]["engine"] == "analog");
  CHECK(doc["layers"][0]["parts"][0]["engine"] == "digital");

  // w8a8 weights cannot go to the ternary analog core: rejected with the reason, exit 2.
  r = run_cli("eval --soc diana --workload fmnist_cnn --bits w8a8 --placement '" + ok.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains(":3:") && Catch::Contains("layers.conv2") && Catch::Contains("analog") &&
                        Catch::Contains("needs w8a8"));

  const auto bad = write_temp("place_bad.yaml", "default: digital\nlayers:\n  conv9: analog\n");
  r = run_cli("eval --soc diana --workload fmnist_cnn --placement '" + bad.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(":3:") && Catch::Contains("layers.conv9"));

  r = run_cli("eval --workload fmnist_cnn");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--soc"));
  std::filesystem::remove(ok);
  std::filesystem::remove(bad);
}
