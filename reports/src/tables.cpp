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

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + std::to_string(v[i]);
  return s;
}

// All points carry their genome (decoded by results.json's gene tables, or by the front
// tables); front points also carry their per-layer bits. Per-layer bits of every point would
// make the tables of a million-point sweep gigabytes.
void write_csv(const SweepResult& r, const std::vector<std::size_t>& rows,
               const std::filesystem::path& file, bool with_bits) {
  std::ofstream out(file);
  out << "id,hardware,feasible";
  for (const auto k : r.objectives) {
    out << ',' << explorer::info(k).name;
    if (*explorer::info(k).unit) out << '_' << explorer::info(k).unit;
  }
  out << (with_bits ? ",genome,w_bits,a_bits\n" : ",genome\n");
  for (const std::size_t i : rows) {
    const auto& p = r.points[i];
    out << p.id << ',' << csv_field(r.hardware.at(p.genome.at(0))) << ',' << (p.feasible ? 1 : 0);
    for (std::size_t k = 0; k < r.objectives.size(); ++k) {
      out << ',' << (p.feasible ? number(p.values.at(k)) : "");
    }
    out << ',' << explorer::genome_to_string(p.genome);
    if (with_bits) {
      const auto bits = explorer::decode_bits(r, p.genome);
      out << ',' << join(bits.w) << ',' << join(bits.a);
    }
    out << '\n';
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

// points.json is streamed, not built as a DOM: a sweep may hold millions of points.
void write_points_json(const SweepResult& r, const json& units, const std::filesystem::path& file) {
  std::ofstream out(file);
  std::vector<std::string> hw;
  for (const auto& h : r.hardware) hw.push_back(json(h).dump());
  std::vector<std::string> names;
  for (const auto k : r.objectives) names.push_back(json(explorer::info(k).name).dump());
  out << "{\"layers\": " << json(r.layers).dump() << ",\n \"units\": " << units.dump()
      << ",\n \"genome\": \"gene 0: hardware index; gene 1 + 2j, 2 + 2j: weight and activation "
         "bits of free layer j, as indices into gene_bits (see results.json); bits per layer: front.json\""
      << ",\n \"hardware\": " << json(r.hardware).dump() << ",\n \"gene_bits\": " << json(r.gene_bits).dump()
      << ",\n \"points\": [";
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const auto& p = r.points[i];
    out << (i ? ",\n  " : "\n  ") << "{\"id\": " << p.id << ", \"hardware\": " << hw.at(p.genome.at(0))
        << ", \"feasible\": " << (p.feasible ? "true" : "false") << ", \"objectives\": {";
    if (p.feasible) {
      for (std::size_t k = 0; k < names.size(); ++k) {
        out << (k ? ", " : "") << names[k] << ": " << number(p.values.at(k));
      }
    }
    out << "}, \"genome\": \"" << explorer::genome_to_string(p.genome) << "\"}";
  }
  out << "\n]}\n";
  if (!out) throw Error("cannot write '" + file.string() + "'");
}

}  // namespace

void write_tables(const SweepResult& r, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::size_t> all(r.points.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  write_csv(r, all, dir / "points.csv", false);
  write_csv(r, r.front, dir / "front.csv", true);

  json units = json::object();
  for (const auto k : r.objectives) units[explorer::info(k).name] = explorer::info(k).unit;
  write_points_json(r, units, dir / "points.json");

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
