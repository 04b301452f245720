#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

#include "mixq/reports/report.hpp"

namespace mixq::reports {
namespace {

using explorer::SweepResult;
using nlohmann::json;

std::string number(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, res.ptr};
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::to_string(v[i]);
  return s;
}

void write_csv(const SweepResult& r, const std::vector<std::size_t>& rows,
               const std::filesystem::path& file) {
  std::ofstream out(file);
  out << "id,hardware,feasible";
  for (const auto k : r.objectives) {
    out << ',' << explorer::info(k).name;
    if (*explorer::info(k).unit) out << '_' << explorer::info(k).unit;
  }
  out << ",w_bits,a_bits\n";
  for (const std::size_t i : rows) {
    const auto& p = r.points[i];
    const auto bits = explorer::decode_bits(r, p.genome);
    out << p.id << ',' << r.hardware.at(p.genome.at(0)) << ',' << (p.feasible ? 1 : 0);
    for (std::size_t k = 0; k < r.objectives.size(); ++k) {
      out << ',' << (p.feasible ? number(p.values.at(k)) : "");
    }
    out << ',' << join(bits.w) << ',' << join(bits.a) << '\n';
  }
  if (!out) throw Error("cannot write '" + file.string() + "'");
}

json point_json(const SweepResult& r, std::size_t i) {
  const auto& p = r.points[i];
  const auto bits = explorer::decode_bits(r, p.genome);
  json j{{"id", p.id}, {"hardware", r.hardware.at(p.genome.at(0))}, {"feasible", p.feasible},
         {"w_bits", bits.w}, {"a_bits", bits.a}};
  json values = json::object();
  if (p.feasible) {
    for (std::size_t k = 0; k < r.objectives.size(); ++k) {
      values[explorer::info(r.objectives[k]).name] = p.values.at(k);
    }
  }
  j["objectives"] = values;
  return j;
}

void write_json(const json& j, const std::filesystem::path& file) {
  std::ofstream out(file);
  out << j.dump(1) << '\n';
  if (!out) throw Error("cannot write '" + file.string() + "'");
}

}  // namespace

void write_tables(const SweepResult& r, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::size_t> all(r.points.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  write_csv(r, all, dir / "points.csv");
  write_csv(r, r.front, dir / "front.csv");

  json units = json::object();
  for (const auto k : r.objectives) units[explorer::info(k).name] = explorer::info(k).unit;
  json points = json::array();
  for (const std::size_t i : all) points.push_back(point_json(r, i));
  write_json({{"layers", r.layers}, {"units", units}, {"points", points}}, dir / "points.json");

  json front = json::array();
  for (std::size_t k = 0; k < r.front.size(); ++k) {
    json j = point_json(r, r.front[k]);
    j["knee"] = r.knee && *r.knee == k;
    if (k < r.front_details.size()) {
      json energy = json::object();
      for (const auto& [name, pj] : r.front_details[k].energy_pj) energy[name] = pj;
      j["energy_pj"] = energy;
    }
    front.push_back(j);
  }
  json reference = json::object();
  for (std::size_t k = 0; k < r.objectives.size() && k < r.reference.size(); ++k) {
    reference[explorer::info(r.objectives[k]).name] = r.reference[k];
  }
  write_json({{"layers", r.layers},
              {"units", units},
              {"hypervolume", r.hypervolume},
              {"reference", reference},
              {"front", front}},
             dir / "front.json");
}

DisplayUnit display_unit(explorer::ObjectiveKind kind) {
  using K = explorer::ObjectiveKind;
  switch (kind) {
    case K::kLatency: return {"latency (ms)", 1e3};
    case K::kEnergy: return {"energy (uJ)", 1e-6};
    case K::kEdp: return {"EDP (uJ*ms)", 1e-3};  // pJ*s -> uJ*ms
    case K::kWeightMemory: return {"weight memory (kB)", 1.0 / 8e3};
    case K::kActivationMemory: return {"activation memory (kB)", 1.0 / 8e3};
    case K::kBops: return {"BOPs (G)", 1e-9};
    case K::kAccuracy: return {"accuracy (%)", 100};
  }
  return {"?", 1};
}

}  // namespace mixq::reports
