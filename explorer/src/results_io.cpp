// results.json (everything but the points) and points.csv (one line per evaluated point).
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mixq/explorer/pareto.hpp"
#include "mixq/explorer/results.hpp"

namespace mixq::explorer {
namespace {

using nlohmann::json;

std::string number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

}  // namespace

std::string genome_to_string(const Genome& g) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string s;
  s.reserve(g.size());
  for (const auto v : g) {
    if (v >= sizeof kDigits - 1) throw Error("gene value " + std::to_string(v) + " cannot be written");
    s += kDigits[v];
  }
  return s;
}

Genome genome_from_string(const std::string& s) {
  Genome g;
  g.reserve(s.size());
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      g.push_back(static_cast<std::uint8_t>(c - '0'));
    } else if (c >= 'a' && c <= 'z') {
      g.push_back(static_cast<std::uint8_t>(c - 'a' + 10));
    } else if (c >= 'A' && c <= 'Z') {
      g.push_back(static_cast<std::uint8_t>(c - 'A' + 36));
    } else {
      throw Error(std::string("bad gene character '") + c + "'");
    }
  }
  return g;
}

LayerBits decode_bits(const SweepResult& r, const Genome& g) {
  LayerBits b;
  for (std::size_t l = 0; l < r.layers.size(); ++l) {
    const int wg = r.layer_w_gene.at(l);
    const int ag = r.layer_a_gene.at(l);
    b.w.push_back(wg < 0 ? r.layer_w_fixed.at(l) : r.gene_bits.at(wg).at(g.at(wg)));
    b.a.push_back(ag < 0 ? r.layer_a_fixed.at(l) : r.gene_bits.at(ag).at(g.at(ag)));
  }
  return b;
}

std::vector<std::vector<std::size_t>> fronts_per_hardware(const SweepResult& r) {
  std::vector<std::vector<std::size_t>> out(r.hardware.size());
  std::vector<std::vector<std::size_t>> members(r.hardware.size());
  std::vector<std::vector<Vector>> values(r.hardware.size());
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const auto& p = r.points[i];
    if (!p.feasible || p.genome.empty() || p.genome[0] >= r.hardware.size()) continue;
    members[p.genome[0]].push_back(i);
    values[p.genome[0]].push_back(to_minimized(r.objectives, p.values));
  }
  for (std::size_t h = 0; h < r.hardware.size(); ++h) {
    for (const std::size_t k : non_dominated(values[h])) out[h].push_back(members[h][k]);
  }
  return out;
}

void save_results(const SweepResult& r, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  json j;
  j["name"] = r.name;
  j["workload"] = r.workload;
  j["strategy"] = r.strategy;
  j["seed"] = r.seed;
  j["hardware"] = r.hardware;
  j["layers"] = r.layers;
  j["gene_bits"] = r.gene_bits;
  j["layer_w_gene"] = r.layer_w_gene;
  j["layer_a_gene"] = r.layer_a_gene;
  j["layer_w_fixed"] = r.layer_w_fixed;
  j["layer_a_fixed"] = r.layer_a_fixed;
  json objs = json::array();
  for (const auto k : r.objectives) objs.push_back(info(k).name);
  j["objectives"] = objs;
  j["reference"] = r.reference;
  j["hypervolume"] = r.hypervolume;
  j["knee"] = r.knee ? json(*r.knee) : json(nullptr);
  j["space_size"] = r.space_size;
  j["points"] = r.points.size();
  j["resumed_points"] = r.resumed_points;
  j["seconds"] = r.seconds;
  j["config"] = r.config_text;
  json front = json::array();
  for (std::size_t k = 0; k < r.front.size(); ++k) {
    const auto& p = r.points[r.front[k]];
    json e{{"id", p.id}, {"hardware", r.hardware.at(p.genome.at(0))},
           {"genome", genome_to_string(p.genome)}, {"values", p.values}};
    if (k < r.front_details.size()) {
      const auto& d = r.front_details[k];
      e["w_bits"] = d.w_bits;
      e["a_bits"] = d.a_bits;
      json energy = json::array();
      for (const auto& [name, pj] : d.energy_pj) energy.push_back({{"component", name}, {"energy_pj", pj}});
      e["energy"] = energy;
    }
    front.push_back(e);
  }
  j["front"] = front;
  {
    std::ofstream out(dir / "results.json");
    out << j.dump(2) << '\n';
    if (!out) throw Error("cannot write '" + (dir / "results.json").string() + "'");
  }
  std::ofstream csv(dir / "points.csv");
  csv << "id,batch,hardware_index,feasible";
  for (const auto k : r.objectives) csv << ',' << info(k).name;
  csv << ",genome\n";
  for (const auto& p : r.points) {
    // The variant's index (labels hold commas: `bitfusion[array.rows=8,array.cols=16]`).
    csv << p.id << ',' << p.batch << ',' << static_cast<int>(p.genome.at(0)) << ',' << (p.feasible ? 1 : 0);
    for (std::size_t k = 0; k < r.objectives.size(); ++k) {
      csv << ',' << (p.feasible && k < p.values.size() ? number(p.values[k]) : "");
    }
    csv << ',' << genome_to_string(p.genome) << '\n';
  }
  if (!csv) throw Error("cannot write '" + (dir / "points.csv").string() + "'");
}

SweepResult load_results(const std::filesystem::path& dir) {
  const auto file = dir / "results.json";
  std::ifstream in(file);
  if (!in) {
    throw InputError(InputError::Kind::kNotFound, SourceLocation{file.string(), 0, 0, ""},
                     "no sweep results here (run `mixq sweep CONFIG --out DIR` first)");
  }
  SweepResult r;
  try {
    const json j = json::parse(in);
    r.name = j.at("name");
    r.workload = j.at("workload");
    r.strategy = j.at("strategy");
    r.seed = j.at("seed");
    r.hardware = j.at("hardware").get<std::vector<std::string>>();
    r.layers = j.at("layers").get<std::vector<std::string>>();
    r.gene_bits = j.at("gene_bits").get<std::vector<std::vector<int>>>();
    r.layer_w_gene = j.at("layer_w_gene").get<std::vector<int>>();
    r.layer_a_gene = j.at("layer_a_gene").get<std::vector<int>>();
    r.layer_w_fixed = j.at("layer_w_fixed").get<std::vector<int>>();
    r.layer_a_fixed = j.at("layer_a_fixed").get<std::vector<int>>();
    for (const auto& o : j.at("objectives")) {
      ObjectiveKind k{};
      if (!parse_objective_kind(o.get<std::string>(), k)) throw Error("unknown objective");
      r.objectives.push_back(k);
    }
    r.reference = j.at("reference").get<std::vector<double>>();
    r.hypervolume = j.at("hypervolume");
    if (!j.at("knee").is_null()) r.knee = j.at("knee").get<std::size_t>();
    r.space_size = j.at("space_size");
    r.resumed_points = j.at("resumed_points");
    r.seconds = j.at("seconds");
    r.config_text = j.at("config");
    std::ifstream csv(dir / "points.csv");
    std::string line;
    std::getline(csv, line);  // header
    while (std::getline(csv, line)) {
      std::vector<std::string> cells;
      std::stringstream ss(line);
      std::string cell;
      while (std::getline(ss, cell, ',')) cells.push_back(cell);
      if (line.ends_with(',')) cells.emplace_back();
      if (cells.size() != 5 + r.objectives.size()) throw Error("malformed points.csv line: " + line);
      PointRecord p;
      p.id = std::stoull(cells[0]);
      p.batch = static_cast<std::uint32_t>(std::stoul(cells[1]));
      p.feasible = cells[3] == "1";
      if (p.feasible) {
        for (std::size_t k = 0; k < r.objectives.size(); ++k) {
          double v = 0;
          std::from_chars(cells[4 + k].data(), cells[4 + k].data() + cells[4 + k].size(), v);
          p.values.push_back(v);
        }
      }
      p.genome = genome_from_string(cells.back());
      r.points.push_back(std::move(p));
    }
    for (const auto& e : j.at("front")) {
      r.front.push_back(e.at("id").get<std::size_t>());
      FrontDetail d;
      if (e.contains("w_bits")) {
        d.w_bits = e.at("w_bits").get<std::vector<int>>();
        d.a_bits = e.at("a_bits").get<std::vector<int>>();
        for (const auto& c : e.at("energy")) d.energy_pj.emplace_back(c.at("component"), c.at("energy_pj"));
      }
      r.front_details.push_back(std::move(d));
    }
  } catch (const json::exception& e) {
    throw InputError(InputError::Kind::kSyntax, SourceLocation{file.string(), 0, 0, ""},
                     std::string("unreadable results: ") + e.what());
  }
  for (const std::size_t i : r.front) {
    if (i >= r.points.size()) throw Error("results.json names a point points.csv lacks");
  }
  return r;
}

}  // namespace mixq::explorer
