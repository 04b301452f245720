// Workload YAML: shape inference, blocks, graph checks and located errors.
#include <catch2/catch.hpp>

#include "expect_error.hpp"
#include "mixq/workloads/loader.hpp"

using mixq::InputError;
using mixq::workloads::load_network_string;
using mixq::workloads::OpKind;

namespace {

InputError workload_error(const std::string& text) {
  return mixq::test::input_error_of([&] { return load_network_string(text, "net.yaml"); }, text);
}

const char* kTiny = R"(
name: tiny
input: {channels: 3, height: 8, width: 8}
layers:
  - {name: c1, op: conv, k: 4, r: 3, pad: 1, bias: true}
  - {name: pool, op: maxpool, r: 2}
  - {name: fc, op: fc, k: 10}
)";

}  // namespace

TEST_CASE("a small network is resolved layer by layer", "[workloads]") {
  const auto net = load_network_string(kTiny);
  REQUIRE(net.size() == 3);
  const auto& c1 = net.layer(0);
  CHECK(c1.c == 3);
  CHECK(c1.p == 8);
  CHECK(c1.q == 8);
  CHECK(c1.macs() == 4 * 3 * 9 * 8 * 8);
  CHECK(c1.params() == 4 * 3 * 9 + 4);
  const auto& pool = net.layer(1);
  CHECK(pool.op == OpKind::kMaxPool);
  CHECK(pool.p == 4);
  CHECK(pool.stride_h == 2);
  const auto& fc = net.layer(2);
  CHECK(fc.c == 4 * 4 * 4);  // flattened
  CHECK(fc.macs() == 64 * 10);
  CHECK(net.outputs() == std::vector<std::size_t>{2});
  CHECK(boost::num_edges(net.graph()) == 3);
  CHECK(boost::num_vertices(net.graph()) == 4);
}

TEST_CASE("output size follows the floor formula at its boundaries", "[workloads]") {
  // P = floor((H + 2·pad − dil·(R−1) − 1)/stride) + 1. H = 7, R = 3, stride 2: P = 3;
  // H = 8: P = 3; H = 9: P = 4.
  for (const auto& [h, p] : std::vector<std::pair<int, int>>{{7, 3}, {8, 3}, {9, 4}}) {
    const auto net = load_network_string("layer: {op: conv, c: 1, h: " + std::to_string(h) +
                                         ", w: " + std::to_string(h) + ", k: 1, r: 3, stride: 2}");
    CHECK(net.layer(0).p == p);
  }
  // A kernel as large as the input fits exactly once; one larger does not fit.
  CHECK(load_network_string("layer: {op: conv, c: 1, h: 3, w: 3, k: 1, r: 3}").layer(0).p == 1);
  const auto e = workload_error("layer: {op: conv, c: 1, h: 3, w: 3, k: 1, r: 4}");
  CHECK(e.kind() == InputError::Kind::kValue);
  CHECK_THAT(e.what(), Catch::Contains("does not fit"));
}

TEST_CASE("single-layer files: conv from its output size, gemm, dilation", "[workloads]") {
  const auto conv = load_network_string(
      "layer: {name: c, op: conv, n: 2, c: 64, p: 56, q: 56, k: 64, r: 3, pad: 1}");
  CHECK(conv.layer(0).h == 56);
  CHECK(conv.layer(0).n == 2);
  CHECK(conv.layer(0).macs() == 2LL * 64 * 64 * 9 * 56 * 56);
  const auto gemm = load_network_string("layer: {op: gemm, m: 128, n: 1024, k: 512}");
  CHECK(gemm.layer(0).macs() == 128LL * 1024 * 512);
  CHECK(gemm.layer(0).k == 1024);
  CHECK(gemm.layer(0).c == 512);
  CHECK(gemm.layer(0).p == 128);
  const auto dil = load_network_string("layer: {op: conv, c: 1, h: 9, w: 9, k: 1, r: 3, dilation: 2}");
  CHECK(dil.layer(0).p == 5);  // effective kernel 5
}

TEST_CASE("blocks, repeat, first, when and pass-through", "[workloads]") {
  const auto net = load_network_string(R"(
name: res
input: {channels: 8, height: 16, width: 16}
defaults: {bn: true, act: relu}
blocks:
  basic:
    params: {cout: null, stride: 1}
    layers:
      - {name: a, op: conv, k: $cout, r: 3, stride: $stride, pad: 1}
      - {name: b, op: conv, k: "${cout}", r: 3, pad: 1, act: none}
      - {name: down, op: conv, input: "@in", k: $cout, r: 1, stride: $stride, when: "stride != 1 || cin != cout"}
      - {name: add, op: add, inputs: [b, down], act: relu}
layers:
  - {block: basic, name: s1, repeat: 2, args: {cout: 8}}
  - {block: basic, name: s2, repeat: 2, args: {cout: 16}, first: {stride: 2}}
  - {name: head, op: fc, input: s2, k: 3, bn: false}
)");
  // s1 copies have no downsample (stride 1, 8 → 8); s2.0 has one, s2.1 not.
  CHECK_FALSE(net.find("s1.0.down").has_value());
  CHECK(net.find("s2.0.down").has_value());
  CHECK_FALSE(net.find("s2.1.down").has_value());
  const auto add0 = *net.find("s1.0.add");
  // The skipped downsample passes its input through: the add reads b and the block input.
  REQUIRE(net.inputs_of(add0).size() == 2);
  CHECK(net.inputs_of(add0)[1] == mixq::workloads::kNetworkInput);
  const auto& down = net.layer(*net.find("s2.0.down"));
  CHECK(down.c == 8);
  CHECK(down.p == 8);
  CHECK(net.layer(*net.find("s2.1.a")).stride_h == 1);  // `first` applies to copy 0 only
  CHECK(net.layer(*net.find("head")).c == 16 * 8 * 8);
  CHECK(net.layer(0).bn);
}

TEST_CASE("references may point forward; layers come out in topological order", "[workloads]") {
  const auto net = load_network_string(R"(
name: fwd
input: {channels: 2, height: 4, width: 4}
layers:
  - {name: sum, op: add, inputs: [left, right]}
  - {name: left, op: conv, input: input, k: 2, r: 1}
  - {name: right, op: conv, input: input, k: 2, r: 1}
outputs: [sum]
)");
  REQUIRE(net.size() == 3);
  CHECK(net.layer(2).name == "sum");
  CHECK(net.inputs_of(2) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("concat adds channels, depthwise uses groups = C", "[workloads]") {
  const auto net = load_network_string(R"(
name: cat
input: {channels: 4, height: 8, width: 8}
layers:
  - {name: a, op: conv, k: 6, r: 1}
  - {name: b, op: dwconv, input: input, r: 3, pad: 1, multiplier: 2}
  - {name: cat, op: concat, inputs: [a, b]}
)");
  CHECK(net.layer(*net.find("cat")).k == 14);
  const auto& b = net.layer(*net.find("b"));
  CHECK(b.groups == 4);
  CHECK(b.k == 8);
  CHECK(b.macs() == 8 * 1 * 9 * 64);
}

TEST_CASE("errors name the file, the line and the key path", "[workloads][errors]") {
  SECTION("malformed YAML") {
    const auto e = workload_error("name: x\ninput: {channels: 3\nlayers: [");
    CHECK(e.kind() == InputError::Kind::kSyntax);
    CHECK(e.where().file == "net.yaml");
    CHECK(e.where().line > 0);
  }
  SECTION("unknown key, with a suggestion") {
    const auto e = workload_error(
        "name: x\ninput: {channels: 3, height: 8, width: 8}\nlayers:\n  - {name: c, op: conv, k: 4, r: 3, strid: 2}\n");
    CHECK(e.kind() == InputError::Kind::kUnknownKey);
    CHECK(e.where().line == 4);
    CHECK(e.where().key_path == "layers[0].strid");
    CHECK_THAT(e.what(), Catch::Contains("did you mean 'stride'"));
    CHECK_THAT(e.what(), Catch::StartsWith("net.yaml:4:"));
  }
  SECTION("wrong type") {
    const auto e = workload_error(
        "name: x\ninput: {channels: 3, height: 8, width: 8}\nlayers:\n  - {name: c, op: conv, k: four, r: 3}\n");
    CHECK(e.kind() == InputError::Kind::kType);
    CHECK(e.where().key_path == "layers[0].k");
  }
  SECTION("zero and negative dimensions") {
    for (const char* bad : {"0", "-3"}) {
      const auto e = workload_error(std::string("name: x\ninput: {channels: 3, height: 8, width: 8}\n"
                                          "layers:\n  - {name: c, op: conv, k: ") + bad + ", r: 3}\n");
      CHECK(e.kind() == InputError::Kind::kValue);
      CHECK(e.where().key_path == "layers[0].k");
      CHECK(e.where().line == 4);
    }
    const auto e = workload_error("name: x\ninput: {channels: 0, height: 8, width: 8}\nlayers: [{name: c, op: fc, k: 1}]");
    CHECK(e.where().key_path == "input.channels");
  }
  SECTION("missing required key") {
    const auto e = workload_error("name: x\ninput: {channels: 3, height: 8, width: 8}\nlayers:\n  - {name: c, op: conv, k: 4}\n");
    CHECK(e.kind() == InputError::Kind::kMissingKey);
    CHECK(e.where().key_path == "layers[0].r");
  }
  SECTION("a cycle") {
    const auto e = workload_error(R"(name: x
input: {channels: 3, height: 8, width: 8}
layers:
  - {name: a, op: conv, input: b, k: 3, r: 1}
  - {name: b, op: conv, input: a, k: 3, r: 1}
)");
    CHECK(e.kind() == InputError::Kind::kGraph);
    CHECK_THAT(e.what(), Catch::Contains("cycle"));
    CHECK(e.where().line >= 4);
  }
  SECTION("a dangling reference") {
    const auto e = workload_error("name: x\ninput: {channels: 3, height: 8, width: 8}\nlayers:\n  - {name: a, op: conv, input: nowhere, k: 3, r: 1}\n");
    CHECK(e.kind() == InputError::Kind::kGraph);
    CHECK(e.where().key_path == "layers[0].input");
    CHECK_THAT(e.what(), Catch::Contains("nowhere"));
  }
  SECTION("a tensor that nobody reads") {
    const auto e = workload_error(R"(name: x
input: {channels: 3, height: 8, width: 8}
layers:
  - {name: a, op: conv, k: 3, r: 1}
  - {name: b, op: conv, input: input, k: 3, r: 1}
)");
    CHECK(e.kind() == InputError::Kind::kGraph);
    CHECK_THAT(e.what(), Catch::Contains("never read"));
    CHECK(e.where().line == 4);
  }
  SECTION("shape mismatch at an add") {
    const auto e = workload_error(R"(name: x
input: {channels: 3, height: 8, width: 8}
layers:
  - {name: a, op: conv, k: 4, r: 1}
  - {name: b, op: add, inputs: [a, input]}
)");
    CHECK(e.kind() == InputError::Kind::kGraph);
    CHECK(e.where().line == 5);
  }
  SECTION("groups that do not divide the channels") {
    const auto e = workload_error("layer: {op: conv, c: 6, h: 4, w: 4, k: 4, r: 1, groups: 4}");
    CHECK(e.kind() == InputError::Kind::kValue);
  }
  SECTION("bad expression and missing block argument") {
    auto e = workload_error(R"(name: x
input: {channels: 3, height: 8, width: 8}
blocks:
  b: {params: {k: null}, layers: [{name: c, op: conv, k: "${k * }", r: 1}]}
layers:
  - {block: b, name: s, args: {k: 2}}
)");
    CHECK(e.where().line == 4);
    CHECK_THAT(e.what(), Catch::Contains("expression"));
    e = workload_error(R"(name: x
input: {channels: 3, height: 8, width: 8}
blocks:
  b: {params: {k: null}, layers: [{name: c, op: conv, k: $k, r: 1}]}
layers:
  - {block: b, name: s}
)");
    CHECK(e.kind() == InputError::Kind::kMissingKey);
    CHECK(e.where().line == 6);
  }
  SECTION("duplicate names") {
    const auto e = workload_error("name: x\ninput: {channels: 3, height: 8, width: 8}\nlayers:\n  - {name: a, op: conv, k: 3, r: 1}\n  - {name: a, op: conv, k: 3, r: 1}\n");
    CHECK_THAT(e.what(), Catch::Contains("duplicate"));
    CHECK(e.where().line == 5);
  }
}
