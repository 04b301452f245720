// Precision assignments: parsing, rules, YAML round trip, and metrics checked by hand.
#include <catch2/catch.hpp>

#include "mixq/workloads/loader.hpp"
#include "mixq/workloads/metrics.hpp"

using namespace mixq::workloads;
using mixq::InputError;

namespace {

// input 2×4×4 → conv (4 kernels, 3×3, pad 1) → 4×4×4 → fc 64 → 3.
// conv: 72 weights, 1152 MACs; fc: 192 weights, 192 MACs.
Network hand_net() {
  return load_network_string(R"(
name: hand
input: {channels: 2, height: 4, width: 4}
layers:
  - {name: conv, op: conv, k: 4, r: 3, pad: 1}
  - {name: fc, op: fc, k: 3}
)");
}

PrecisionAssignment parse(const std::string& text, const Network& net) {
  return parse_assignment(mixq::yaml::load_string(text, "a.yaml"), net);
}

InputError error_of(const std::string& text, const Network& net) {
  try {
    (void)parse(text, net);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no error for:\n" << text);
  throw;
}

}  // namespace

TEST_CASE("bits shorthand", "[precision]") {
  CHECK(parse_bits("w4a8") == Bits{4, 8});
  CHECK(parse_bits("w32a1") == Bits{32, 1});
  for (const char* bad : {"w0a8", "w33a8", "4a8", "w4", "w4a", "wa8", "w4a8x", ""}) {
    CHECK_THROWS_AS(parse_bits(bad), InputError);
  }
  CHECK(to_string(Bits{2, 6}) == "w2a6");
}

TEST_CASE("metrics of a network small enough to check by hand", "[precision][metrics]") {
  const auto net = hand_net();
  const auto a = parse("default: w4a8\nlayers: {fc: w2a4}", net);
  const auto m = compute_metrics(net, a);
  CHECK(m.macs == 1152 + 192);
  CHECK(m.weight_bits == 72 * 4 + 192 * 2);
  // Tensors: the input (32 values) is stored at its reader's 8 bits, the conv output
  // (64 values) at the fc's 4 bits, the network output (3 values) at the fc's own 4 bits.
  CHECK(m.input_bits == 256);
  CHECK(m.layers[0].output_bits == 256);
  CHECK(m.layers[1].output_bits == 12);
  CHECK(m.activation_bits_sum == 256 + 256 + 12);
  // Live sets: step 0 holds the input and the conv output, step 1 the conv and fc outputs.
  CHECK(m.activation_bits_peak == 512);
  CHECK(m.activation_bits_max_tensor == 256);
  CHECK(m.bops == Approx(1152.0 * 4 * 8 + 192.0 * 2 * 4));
  CHECK(m.ebops == Approx(m.bops));
}

TEST_CASE("per-channel precision: weight memory and EBOPs per group", "[precision][metrics]") {
  const auto net = hand_net();
  const auto a = parse(R"(
default: w8a8
layers:
  conv: {granularity: channel, w: [2, 2, 8, 8], a: 8}
)", net);
  REQUIRE(a[0].groups.size() == 2);  // runs of equal bits are merged
  CHECK(a[0].groups[0] == PrecisionGroup{2, 2, 8});
  const auto m = compute_metrics(net, a);
  // 18 weights per kernel: 36 at 2 bits and 36 at 8 bits.
  CHECK(m.layers[0].weight_bits == 36 * 2 + 36 * 8);
  // Each weight is used P·Q = 16 times.
  CHECK(m.layers[0].ebops == Approx(36.0 * 16 * 2 * 8 + 36.0 * 16 * 8 * 8));
  CHECK(m.layers[0].bops == Approx(1152.0 * 8 * 8));
}

TEST_CASE("per-weight histograms and channel groups", "[precision]") {
  const auto net = hand_net();
  const auto a = parse(R"(
default: w8a8
layers:
  conv: {granularity: channel_group, groups: [{channels: 3, w: 4, a: 8}, {channels: 1, w: 8, a: 8}]}
  fc: {granularity: weight, groups: [{weights: 100, w: 1, a: 8}, {weights: 92, w: 3, a: 8}]}
)", net);
  const auto m = compute_metrics(net, a);
  CHECK(m.layers[0].weight_bits == 54 * 4 + 18 * 8);
  CHECK(m.layers[1].weight_bits == 100 + 92 * 3);
  CHECK(m.layers[1].ebops == Approx(100.0 * 8 + 92.0 * 3 * 8));
  const auto e = error_of(R"(
default: w8a8
layers:
  fc: {granularity: weight, groups: [{weights: 100, w: 1, a: 8}]}
)", net);
  CHECK(e.where().line == 4);
  CHECK_THAT(e.what(), Catch::Contains("add up to 100"));
}

TEST_CASE("rules: first and last layer at 8 bits, op and pattern selectors", "[precision]") {
  const auto net = load_network_string(R"(
name: four
input: {channels: 2, height: 8, width: 8}
layers:
  - {name: c1, op: conv, k: 4, r: 3, pad: 1}
  - {name: dw, op: dwconv, r: 3, pad: 1}
  - {name: c2, op: conv, k: 4, r: 1}
  - {name: pool, op: avgpool, global: true}
  - {name: fc, op: fc, k: 3}
)");
  const auto a = parse(R"(
default: w4a4
rules:
  - {layers: first_last, bits: w8a8}
  - {op: dwconv, bits: w6a6}
  - {layers: "c2*", bits: w2a4}
layers: {c2: w3a4}
)", net);
  CHECK(a[0].groups[0].w_bits == 8);  // first weighted layer
  CHECK(a[4].groups[0].w_bits == 8);  // last weighted layer (the pool has no weights)
  CHECK(a[1].groups[0].w_bits == 6);
  CHECK(a[2].groups[0].w_bits == 3);  // explicit entries win over rules
  CHECK(a[3].groups[0].a_bits == 4);
}

TEST_CASE("assignment errors are located", "[precision][errors]") {
  const auto net = hand_net();
  auto e = error_of("default: w4a8\nlayers: {nope: w4a4}", net);
  CHECK(e.kind() == InputError::Kind::kUnknownKey);
  CHECK(e.where().key_path == "layers.nope");
  e = error_of("layers: {conv: w4a4}", net);
  CHECK(e.kind() == InputError::Kind::kMissingKey);
  CHECK_THAT(e.what(), Catch::Contains("'fc'"));
  e = error_of("default: w4a8\nlayers:\n  conv: {w: 0, a: 8}", net);
  CHECK(e.kind() == InputError::Kind::kValue);
  CHECK(e.where().line == 3);
  e = error_of("default: w4a8\nlayers:\n  conv: {granularity: channel, w: [2, 2, 8], a: 8}", net);
  CHECK_THAT(e.what(), Catch::Contains("one bit width per output channel"));
  e = error_of("default: w4a8\nrules: [{layers: 'zz*', bits: w2a2}]", net);
  CHECK_THAT(e.what(), Catch::Contains("matches no layer"));
  e = error_of("network: other\ndefault: w4a8", net);
  CHECK(e.where().key_path == "network");
  e = error_of("default: w4a8\nunknown: 1", net);
  CHECK(e.kind() == InputError::Kind::kUnknownKey);
}

TEST_CASE("assignment YAML round trip", "[precision]") {
  const auto net = hand_net();
  const auto a = parse(R"(
default: w4a8
layers:
  conv: {granularity: channel, w: [2, 3, 3, 8], a: 6}
  fc: {granularity: weight, groups: [{weights: 150, w: 1, a: 4}, {weights: 42, w: 5, a: 4}]}
)", net);
  const std::string text = assignment_to_yaml(a, net);
  const auto back = parse(text, net);
  CHECK(back == a);
  const auto uniform = PrecisionAssignment::uniform(net, {3, 5});
  CHECK(parse(assignment_to_yaml(uniform, net), net) == uniform);
}
