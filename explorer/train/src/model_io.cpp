// Model files (model.hpp). Little-endian only: the format is written and read on x86-64 and
// AArch64 hosts, both little-endian; a big-endian host would need byte swaps here.
#include <cstring>
#include <fstream>
#include <map>

#include "mixq/train/model.hpp"

namespace mixq::train {

namespace {

constexpr char kMagic[8] = {'M', 'I', 'X', 'Q', 'T', 'R', 'N', '1'};
constexpr std::uint32_t kVersion = 1;

struct Tensor {
  std::vector<std::int64_t> dims;
  std::vector<float> data;
};

class Writer {
 public:
  explicit Writer(const std::filesystem::path& file) : out_(file, std::ios::binary), file_(file) {
    if (!out_) throw Error("cannot write model file " + file.string());
  }
  void raw(const void* p, std::size_t n) { out_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n)); }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void tensor(const std::string& name, const std::vector<std::int64_t>& dims, const float* data, std::size_t n) {
    str(name);
    u32(static_cast<std::uint32_t>(dims.size()));
    for (auto d : dims) raw(&d, 8);
    raw(data, n * sizeof(float));
  }
  void finish() {
    out_.flush();
    if (!out_) throw Error("error while writing model file " + file_.string());
  }

 private:
  std::ofstream out_;
  std::filesystem::path file_;
};

class Reader {
 public:
  explicit Reader(const std::filesystem::path& file) : file_(file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(InputError::Kind::kNotFound, SourceLocation{file.string(), 0, 0, ""}, "cannot open model file");
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  void raw(void* p, std::size_t n) {
    if (n > bytes_.size() - pos_) fail("the file ends early (truncated)");
    std::memcpy(p, bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    raw(&v, 4);
    return v;
  }
  std::string str() {
    const std::uint32_t n = u32();
    if (n > 4096) fail("a name of " + std::to_string(n) + " bytes: corrupt file");
    std::string s(n, '\0');
    raw(s.data(), n);
    return s;
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw InputError(InputError::Kind::kValue, SourceLocation{file_.string(), 0, 0, ""}, "model file: " + msg);
  }
  [[nodiscard]] std::size_t left() const { return bytes_.size() - pos_; }

 private:
  std::filesystem::path file_;
  std::vector<char> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

void save_model(const TrainedModel& model, const std::filesystem::path& file) {
  if (!model.network) throw Error("save_model: the model has no network");
  const workloads::Network& net = *model.network;
  Writer w(file);
  w.raw(kMagic, 8);
  w.u32(kVersion);
  w.str(net.name());
  std::uint32_t count = 0;
  auto each = [&](auto&& fn) {
    for (std::size_t l = 0; l < model.layers.size(); ++l) {
      const LayerParams& p = model.layers[l];
      const std::string& name = net.layer(l).name;
      auto vec = [&](const char* suffix, const std::vector<float>& v) {
        if (!v.empty()) fn(name + suffix, std::vector<std::int64_t>{static_cast<std::int64_t>(v.size())}, v.data(), v.size());
      };
      vec(".weight", p.weight);
      vec(".bias", p.bias);
      vec(".bn_gamma", p.bn_gamma);
      vec(".bn_beta", p.bn_beta);
      vec(".bn_mean", p.bn_mean);
      vec(".bn_var", p.bn_var);
      vec(".act_sample", p.act_sample);
      if (p.weight.empty()) continue;
      const float sign = p.act_signed ? 1.0F : 0.0F;
      fn(name + ".act_signed", std::vector<std::int64_t>{1}, &sign, 1);
      if (!p.trained_groups.empty()) {
        std::vector<float> g;
        for (const auto& pg : p.trained_groups) {
          g.push_back(static_cast<float>(pg.count));
          g.push_back(static_cast<float>(pg.w_bits));
          g.push_back(static_cast<float>(pg.a_bits));
        }
        fn(name + ".trained_groups", std::vector<std::int64_t>{static_cast<std::int64_t>(p.trained_groups.size()), 3}, g.data(), g.size());
        vec(".trained_w_step", p.trained_w_step);
        fn(name + ".trained_a_step", std::vector<std::int64_t>{1}, &p.trained_a_step, 1);
      }
    }
  };
  each([&](const std::string&, const std::vector<std::int64_t>&, const float*, std::size_t) { ++count; });
  w.u32(count);
  each([&](const std::string& name, const std::vector<std::int64_t>& dims, const float* d, std::size_t n) { w.tensor(name, dims, d, n); });
  w.finish();
}

TrainedModel load_model(const std::filesystem::path& file, const workloads::Network& net) {
  Reader r(file);
  char magic[8];
  r.raw(magic, 8);
  if (std::memcmp(magic, kMagic, 8) != 0) r.fail("not a mixq model (bad magic)");
  if (const auto v = r.u32(); v != kVersion) r.fail("unsupported version " + std::to_string(v));
  const std::string name = r.str();
  if (name != net.name()) r.fail("trained on '" + name + "', not '" + net.name() + "'");
  const std::uint32_t count = r.u32();
  std::map<std::string, Tensor> tensors;
  for (std::uint32_t i = 0; i < count; ++i) {
    Tensor t;
    const std::string tname = r.str();
    const std::uint32_t ndim = r.u32();
    if (ndim > 4) r.fail("tensor '" + tname + "' has " + std::to_string(ndim) + " dimensions");
    std::int64_t n = 1;
    for (std::uint32_t d = 0; d < ndim; ++d) {
      std::int64_t dim = 0;
      r.raw(&dim, 8);
      if (dim < 0 || dim > (std::int64_t{1} << 32)) r.fail("tensor '" + tname + "' has a bad dimension");
      t.dims.push_back(dim);
      n *= dim;
    }
    if (static_cast<std::size_t>(n) * sizeof(float) > r.left()) r.fail("the file ends early (truncated)");
    t.data.resize(static_cast<std::size_t>(n));
    r.raw(t.data.data(), t.data.size() * sizeof(float));
    tensors[tname] = std::move(t);
  }
  TrainedModel m;
  m.network = std::make_shared<const workloads::Network>(net);
  m.layers.resize(net.size());
  auto take = [&](const std::string& key, std::size_t expect, bool required) {
    auto it = tensors.find(key);
    if (it == tensors.end()) {
      if (required) r.fail("tensor '" + key + "' is missing");
      return std::vector<float>{};
    }
    if (expect != 0 && it->second.data.size() != expect) {
      r.fail("tensor '" + key + "' has " + std::to_string(it->second.data.size()) + " values, expected " + std::to_string(expect));
    }
    return it->second.data;
  };
  for (std::size_t l = 0; l < net.size(); ++l) {
    const workloads::Layer& layer = net.layer(l);
    if (!layer.has_weights()) continue;
    LayerParams& p = m.layers[l];
    const auto k = static_cast<std::size_t>(layer.k);
    p.weight = take(layer.name + ".weight", static_cast<std::size_t>(layer.weight_count()), true);
    p.bias = take(layer.name + ".bias", k, layer.bias);
    if (layer.bn) {
      p.bn_gamma = take(layer.name + ".bn_gamma", k, true);
      p.bn_beta = take(layer.name + ".bn_beta", k, true);
      p.bn_mean = take(layer.name + ".bn_mean", k, true);
      p.bn_var = take(layer.name + ".bn_var", k, true);
    }
    p.act_sample = take(layer.name + ".act_sample", 0, false);
    const auto sign = take(layer.name + ".act_signed", 1, false);
    p.act_signed = !sign.empty() && sign[0] != 0;
    const auto groups = take(layer.name + ".trained_groups", 0, false);
    for (std::size_t g = 0; g + 2 < groups.size(); g += 3) {
      p.trained_groups.push_back({static_cast<std::int64_t>(groups[g]), static_cast<int>(groups[g + 1]), static_cast<int>(groups[g + 2])});
    }
    if (!p.trained_groups.empty()) {
      p.trained_w_step = take(layer.name + ".trained_w_step", p.trained_groups.size(), true);
      p.trained_a_step = take(layer.name + ".trained_a_step", 1, true)[0];
    }
  }
  return m;
}

}  // namespace mixq::train
