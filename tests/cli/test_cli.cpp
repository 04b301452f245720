// The mixq command line: JSON shape, exit codes, and the invalid-input corpus.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "cli/run.hpp"

using mixq::test::run_cli;

TEST_CASE("mixq --help and list", "[cli]") {
  auto r = run_cli("--help");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("workload"));
  r = run_cli("list");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("dwconv"));
  CHECK_THAT(r.out, Catch::Contains("channel_group"));
  r = run_cli("no-such-command");
  CHECK(r.exit_code != 0);
}

TEST_CASE("workload show --json has layers and total", "[cli]") {
  const auto r = run_cli("workload show tests/data/workloads/hand.yaml --bits w4a8 --json");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["layers"].is_array());
  CHECK(doc["layers"].size() == 3);
  CHECK(doc["layers"][0]["name"] == "conv");
  CHECK(doc["layers"][0]["macs"] == 4 * 2 * 9 * 16);
  const auto& total = doc["total"];
  for (const char* key : {"macs", "params", "weight_bits", "activation_bits", "bops"}) {
    CHECK(total.contains(key));
  }
  CHECK(total["macs"] == 1152 + 16 * 3);
  CHECK(total["weight_bits"] == 72 * 4 + 48 * 4);
}

TEST_CASE("workload show prints a per-layer table with totals", "[cli]") {
  const auto r = run_cli("workload show tests/data/workloads/hand.yaml --bits w2a4");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("conv"));
  CHECK_THAT(r.out, Catch::Contains("w2a4"));
  CHECK_THAT(r.out, Catch::Contains("total"));
  CHECK(r.err.empty());
}

TEST_CASE("bad flags and missing files exit non-zero with a message", "[cli][errors]") {
  auto r = run_cli("workload show tests/data/workloads/hand.yaml --bits w4");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--bits"));
  CHECK(r.out.empty());
  r = run_cli("workload show no_such_network");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no workloads preset"));
  r = run_cli("workload show missing/file.yaml");
  CHECK(r.exit_code == 2);
}

TEST_CASE("eval --json has layers with cycles, energy and utilization, and totals", "[cli][costmodel]") {
  const auto r = run_cli("eval --arch bitfusion --workload fmnist_cnn --bits w4a4 --first-last w8a8 --json --show-mapping");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["layers"].size() == 6);
  std::int64_t cycles = 0;
  for (const auto& l : doc["layers"]) {
    for (const char* key : {"name", "cycles", "energy_pj", "utilization"}) CHECK(l.contains(key));
    cycles += l["cycles"].get<std::int64_t>();
  }
  for (const char* key : {"cycles", "latency_s", "energy_pj"}) CHECK(doc["total"].contains(key));
  CHECK(doc["total"]["cycles"] == cycles);
  CHECK(doc["total"]["latency_s"].get<double>() == Approx(static_cast<double>(cycles) / 500e6));
  CHECK(doc["layers"][0]["mappings"][0]["w_bits"] == 8);
  CHECK(doc["layers"][2]["mappings"][0]["w_bits"] == 4);  // conv2
  CHECK_FALSE(doc["layers"][1]["on_array"].get<bool>());  // pool1
}

TEST_CASE("eval: --set overrides are applied and validated", "[cli][costmodel]") {
  const auto base = nlohmann::json::parse(run_cli("eval --arch systolic --workload jet_mlp --json").out);
  const auto r = run_cli("eval --arch systolic --workload jet_mlp --json --set array.rows=8 --set array.dataflow=os");
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["total"]["cycles"] != base["total"]["cycles"]);
  auto bad = run_cli("eval --arch systolic --workload jet_mlp --set array.rowz=8");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown key 'rowz'"));
  bad = run_cli("eval --arch systolic --workload jet_mlp --set array.dataflow=rs");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unsupported dataflow"));
}

TEST_CASE("eval: an unsupported precision is rejected with the layer and the reason", "[cli][costmodel]") {
  const auto r = run_cli("eval --arch bitfusion --workload fmnist_cnn --bits w16a8");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("conv1"));
  CHECK_THAT(r.err, Catch::Contains("bit_fusion"));
}

TEST_CASE("arch show prints the PE's throughput per precision", "[cli][arch]") {
  const auto r = run_cli("arch show bitfusion --json");
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["array"]["rows"] == 16);
  bool found = false;
  for (const auto& p : doc["precisions"]) {
    if (p["w_bits"] == 2 && p["a_bits"] == 2) {
      CHECK(p["macs_per_cycle"] == 8192.0);
      found = true;
    }
  }
  CHECK(found);
}

namespace {

// Reads the "# key: value" header of a corpus file.
std::map<std::string, std::string> header_of(const std::filesystem::path& file) {
  std::map<std::string, std::string> header;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line) && line.rfind("# ", 0) == 0) {
    const auto colon = line.find(": ");
    if (colon != std::string::npos) header[line.substr(2, colon - 2)] = line.substr(colon + 2);
  }
  return header;
}

}  // namespace

// Every file under tests/data/invalid/ states the error it must produce: the text (expect)
// and the line and key path (at). The CLI must exit 2, print nothing on stdout, and name the
// file, line and key on stderr.
TEST_CASE("the invalid-input corpus is rejected with located messages", "[cli][errors][corpus]") {
  const std::filesystem::path root = std::filesystem::path(MIXQ_SOURCE_DIR) / "tests/data/invalid";
  int cases = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".yaml") continue;
    const auto header = header_of(entry.path());
    const std::string rel = std::filesystem::relative(entry.path(), MIXQ_SOURCE_DIR).string();
    const std::string kind = entry.path().parent_path().filename().string();
    std::string args;
    std::filesystem::path out_dir;
    if (kind == "workloads") {
      args = "workload show '" + rel + "' --json";
    } else if (kind == "arch") {
      // Priced, not only shown: hardware with a `workload` header loads but cannot run it.
      const std::string net = header.count("workload") == 1 ? header.at("workload") : "fmnist_cnn";
      args = "eval --arch '" + rel + "' --workload " + net + " --json";
    } else if (kind == "assignments") {
      args = "workload show '" + header.at("workload") + "' --assignment '" + rel + "' --json";
    } else if (kind == "soc") {
      args = "eval --soc '" + rel + "' --workload fmnist_cnn --json";
    } else if (kind == "sweeps") {
      // Rejected before any work: the output folder is never created.
      out_dir = std::filesystem::temp_directory_path() / ("mixq_corpus_out_" + std::to_string(::getpid()));
      std::filesystem::remove_all(out_dir);
      args = "sweep '" + rel + "' --out '" + out_dir.string() + "' -j 1";
    } else if (kind == "placements") {
      // fmnist_cnn on diana at w8a8: the analog core cannot take any of its layers.
      args = "eval --soc diana --workload fmnist_cnn --placement '" + rel + "' --json";
    } else {
      FAIL("no runner for corpus folder " << kind);
    }
    INFO(rel);
    REQUIRE(header.count("expect") == 1);
    REQUIRE(header.count("at") == 1);
    const auto r = run_cli(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    if (!out_dir.empty()) CHECK_FALSE(std::filesystem::exists(out_dir));
    CHECK_THAT(r.err, Catch::Contains(header.at("expect")));
    // "at: LINE [KEY.PATH]"
    const std::string at = header.at("at");
    const auto space = at.find(' ');
    const std::string line = at.substr(0, space);
    CHECK_THAT(r.err, Catch::Contains(rel + ":" + line + ":"));
    if (space != std::string::npos) {
      CHECK_THAT(r.err, Catch::Contains("key '" + at.substr(space + 1) + "'"));
    }
    ++cases;
  }
  CHECK(cases >= 73);
}

TEST_CASE("workload show --json of the zoo agrees with the published figures", "[cli][zoo]") {
  // ResNet-18: 11,689,512 parameters (torchvision), 1.814 G MACs (He et al. 2016: 1.8 G);
  // MobileNetV2: 3,504,872 parameters, ~300 M MACs (Sandler et al. 2018, Table 4). 1%.
  auto doc = nlohmann::json::parse(run_cli("workload show resnet18 --json").out);
  CHECK(doc["total"]["params"] == 11689512);
  CHECK(doc["total"]["macs"].get<double>() == Approx(1.814e9).epsilon(0.01));
  doc = nlohmann::json::parse(run_cli("workload show mobilenet_v2 --json").out);
  CHECK(doc["total"]["params"] == 3504872);
  CHECK(doc["total"]["macs"].get<double>() == Approx(300e6).epsilon(0.01));
}
