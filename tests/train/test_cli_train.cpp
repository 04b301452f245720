// `mixq train` as a user runs it: JSON summary, output files, divergence handling.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/run.hpp"
#include "mixq/train/model.hpp"
#include "mixq/workloads/loader.hpp"

namespace fs = std::filesystem;

TEST_CASE("mixq train --bits --json --out: summary keys, assignment, model, log", "[train][cli]") {
  REQUIRE(fs::exists(MIXQ_CLI_PATH));
  const fs::path out = fs::temp_directory_path() / ("mixq_cli_train_" + std::to_string(::getpid()));
  const auto r = mixq::test::run_cli("train --workload fmnist_cnn --bits w4a4 --fp-epochs 1 --epochs 1 "
                                     "--train-subset 1000 --test-subset 300 --seed 3 --threads 2 --json "
                                     "--quiet --out '" + out.string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"test_accuracy", "epochs", "train_seconds", "avg_weight_bits", "avg_activation_bits"}) {
    CHECK(j.contains(key));
  }
  CHECK(j["epochs"] == 2);
  CHECK(j["test_accuracy"].get<double>() > 0.3);
  CHECK(j["avg_weight_bits"].get<double>() < 4.1);
  const auto net = mixq::workloads::load_workload("fmnist_cnn");
  const auto a = mixq::workloads::load_assignment(out / "assignment.yaml", net);
  CHECK(a[2].groups.front().w_bits == 4);
  CHECK(a[0].groups.front().w_bits == 8);
  const auto model = mixq::train::load_model(out / "model.bin", net);
  CHECK(model.layers[0].weight.size() == 144);
  CHECK(fs::exists(out / "log.csv"));
  CHECK(fs::exists(out / "summary.json"));
  fs::remove_all(out);
}

TEST_CASE("mixq train: divergence stops with exit code 3 and writes no assignment", "[train][cli]") {
  const fs::path out = fs::temp_directory_path() / ("mixq_cli_div_" + std::to_string(::getpid()));
  const auto r = mixq::test::run_cli("train --optimizer sgd --lr 50 --epochs 1 --train-subset 512 "
                                     "--test-subset 100 --quiet --out '" + out.string() + "'");
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("diverged") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "assignment.yaml"));
  CHECK_FALSE(fs::exists(out / "model.bin"));
  fs::remove_all(out);
}

TEST_CASE("mixq train: bad flags and a missing data directory are input errors", "[train][cli]") {
  auto r = mixq::test::run_cli("train --bits w4 --quiet --epochs 0");
  CHECK(r.exit_code == 2);
  r = mixq::test::run_cli("train --data /nonexistent --epochs 1 --quiet");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("dataset-fashion-mnist") != std::string::npos);
}
